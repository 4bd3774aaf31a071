"""Deterministic synthetic corpus of incident post-mortems (demo data and parser fixtures).

``write_demo_corpus(out, count=300, seed=42)`` writes, under ``out/``::

    markdown/<team>/YYYY-MM-DD-<service>-<kind>.md   template Markdown (some with YAML front matter)
    json/*.json          one post-mortem object per file, or a list of 5-10 ("batch-NN-YYYY-MM.json")
    yaml/*.yaml          same as json/
    csv/postmortems.csv  one post-mortem per row (list values joined with ";")
    csv/actions.csv      actions of the CSV post-mortems (postmortem_id column)
    trackers/*.md        "Actions Post-Mortem Tracker" documents updating Markdown actions
    incidents/incidents.csv   incident list (with and without post-mortem)

Everything comes from ``random.Random(seed)``; "today" is fixed at 2026-11-15, so the same
seed and count always give byte-identical files.

Spelling variants used in the Markdown files (what a parser has to normalise):

* severity: P1|SEV1|Sev-1|Critical|Critique -> P1; P2|SEV2|Sev-2|Major|Majeur -> P2;
  P3|SEV3|Sev-3|Minor|Mineur -> P3; P4|SEV4|Sev-4|Low|Faible -> P4
* status: "✅ Done", "✅ Terminé", "Fait", "Done" -> done; "🔄 In Progress", "🔄 En cours",
  "En cours", "In progress" -> in_progress; "⏳ Todo", "⏳ À faire", "À faire", "Todo" -> todo;
  "⛔ Blocked", "⛔ Bloqué", "Bloqué" -> blocked; "❌ Cancelled", "❌ Abandonné", "Abandonné"
  -> cancelled (JSON/YAML/CSV mostly use the canonical word, sometimes one of these)
* priority: High|Haute|P0|P1 -> high; Medium|Moyenne|P2 -> medium; Low|Basse|P3 -> low
* durations: "1h 20m", "45 min", "0h 16m", "1d 5h 47m" (JSON/YAML time_to_*: also "PT1H20M"
  or a plain number of minutes)
* dates: ISO, or DD/MM/YYYY in about a quarter of the French Markdown files; tracker "Due"
  columns are MM/DD.

JSON/YAML ``time_to_detect`` / ``time_to_acknowledge`` / ``time_to_mitigate`` / ``time_to_resolve``
(given in about a third of the records) are all measured from ``started_at``.

In Markdown, the paragraph under "What happened?" / "Qu'est-ce qui s'est passé ?" is the root
cause text.  JSON/YAML ``whys`` entries are "Question? → answer" strings, ``lessons`` are
"Title: text" strings.
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

REF_TODAY = date(2026, 11, 15)
RANGE_START = date(2024, 7, 1)
RANGE_END = date(2026, 11, 10)

# --------------------------------------------------------------------------------------
# Static reference data
# --------------------------------------------------------------------------------------

TEAMS: dict[str, dict] = {
    "payments": {
        "services": ["payment-gateway", "billing-service", "refund-worker"],
        "members": [("Alice Martin", "alice"), ("Bruno Lefèvre", "bruno"), ("Chloé Dubois", "chloe"),
                    ("Daniel Kim", "daniel"), ("Emma Rossi", "emma")],
        "providers": ["Adyen", "Stripe"],
    },
    "checkout": {
        "services": ["checkout-api", "cart-service"],
        "members": [("Farid Benali", "farid"), ("Gaëlle Moreau", "gaelle"), ("Hugo Bernard", "hugo"),
                    ("Inès Garcia", "ines"), ("Jonas Weber", "jonas"), ("Karim Haddad", "karim")],
        "providers": ["Stripe", "Cloudflare"],
    },
    "identity": {
        "services": ["auth-service", "user-profile", "sso-gateway"],
        "members": [("Léa Fontaine", "lea"), ("Marc Petit", "marc"), ("Nadia Rahmani", "nadia"),
                    ("Olivier Roux", "olivier")],
        "providers": ["Okta", "Cloudflare"],
    },
    "search": {
        "services": ["search-api", "search-indexer"],
        "members": [("Paul Girard", "paul"), ("Quentin Blanc", "quentin"), ("Rania Saidi", "rania"),
                    ("Sofia Costa", "sofia"), ("Thomas Muller", "thomas"), ("Ugo Ferri", "ugo"),
                    ("Victor Laurent", "victor")],
        "providers": ["Elastic Cloud", "AWS"],
    },
    "platform": {
        "services": ["api-gateway", "config-service", "service-mesh"],
        "members": [("Wendy Chen", "wendy"), ("Xavier Durand", "xavier"), ("Yasmine Amrani", "yasmine"),
                    ("Zoé Lambert", "zoe"), ("Adrien Faure", "adrien"), ("Baptiste Noël", "baptiste"),
                    ("Camille Perrin", "camille"), ("Dimitri Ivanov", "dimitri")],
        "providers": ["AWS", "Cloudflare"],
    },
    "data": {
        "services": ["data-pipeline", "warehouse-loader"],
        "members": [("Elise Mercier", "elise"), ("Fabien Gauthier", "fabien"), ("Grace Okafor", "grace"),
                    ("Hélène Caron", "helene"), ("Ivan Petrov", "ivan")],
        "providers": ["Snowflake", "AWS"],
    },
    "mobile": {
        "services": ["mobile-bff", "app-config"],
        "members": [("Julie Renard", "julie"), ("Kevin O'Brien", "kevin"), ("Lucas Andrieu", "lucas"),
                    ("Manon Chevalier", "manon"), ("Nathan Brun", "nathan"), ("Oscar Lindqvist", "oscar")],
        "providers": ["Firebase", "Apple Push"],
    },
    "notifications": {
        "services": ["notification-service", "email-sender", "push-gateway"],
        "members": [("Pauline Marchand", "pauline"), ("Rémi Colin", "remi"), ("Sarah Cohen", "sarah"),
                    ("Théo Vidal", "theo")],
        "providers": ["Twilio", "SendGrid"],
    },
    "infra": {
        "services": ["k8s-cluster", "postgres-cluster", "kafka-cluster"],
        "members": [("Valentin Roussel", "valentin"), ("William Hart", "william"), ("Yann Le Gall", "yann"),
                    ("Amélie Giraud", "amelie"), ("Benoît Masson", "benoit"), ("Clara Schmidt", "clara"),
                    ("David Nguyen", "david")],
        "providers": ["AWS", "OVHcloud"],
    },
}
TEAM_NAMES = list(TEAMS)

SEVERITIES = ["P1", "P2", "P3", "P4"]
SEVERITY_WEIGHTS = [8, 25, 40, 27]
CAUSES = ["process", "people", "tools", "environment", "monitoring", "code", "external"]
CAUSE_WEIGHTS = [11, 7, 10, 13, 20, 29, 10]
PRIORITIES = ["high", "medium", "low"]
PRIORITY_WEIGHTS = [30, 45, 25]

SEV_SPELLINGS = {
    "en": {"P1": ["SEV1", "Sev-1", "Critical"], "P2": ["SEV2", "Sev-2", "Major"],
           "P3": ["SEV3", "Sev-3", "Minor"], "P4": ["SEV4", "Sev-4", "Low"]},
    "fr": {"P1": ["Critique", "SEV1"], "P2": ["Majeur", "Sev-2"],
           "P3": ["Mineur", "Sev-3"], "P4": ["Faible", "SEV4"]},
}
STATUS_MD = {
    "en": {"done": ["✅ Done", "✅ Done", "Done"], "in_progress": ["🔄 In Progress", "🔄 In Progress", "In progress"],
           "todo": ["⏳ Todo", "⏳ Todo", "Todo"], "blocked": ["⛔ Blocked"], "cancelled": ["❌ Cancelled"]},
    "fr": {"done": ["✅ Terminé", "✅ Done", "Fait"], "in_progress": ["🔄 En cours", "En cours"],
           "todo": ["⏳ À faire", "À faire"], "blocked": ["⛔ Bloqué", "Bloqué"],
           "cancelled": ["❌ Abandonné", "Abandonné"]},
}
STATUS_TRACKER = {"done": "✅", "in_progress": "🔄", "todo": "⏳", "blocked": "⛔", "cancelled": "❌"}
STATUS_VARIANTS_STRUCT = {"done": ["Done", "✅ Done", "terminé"], "in_progress": ["In Progress", "en cours"],
                          "todo": ["TODO", "à faire"], "blocked": ["Blocked", "bloqué"],
                          "cancelled": ["Cancelled", "abandonné"]}
PRIO_MD = {"en": {"high": "High", "medium": "Medium", "low": "Low"},
           "fr": {"high": "Haute", "medium": "Moyenne", "low": "Basse"}}
PRIO_P = {"high": ["P0", "P1"], "medium": ["P2"], "low": ["P3"]}

KINDS = {
    # slug: (English title, French title)
    "latency": ("High latency on {service}", "Latence élevée sur {service}"),
    "outage": ("Outage of {service}", "Indisponibilité de {service}"),
    "errors": ("Elevated error rate on {service}", "Taux d'erreurs élevé sur {service}"),
    "degradation": ("Degraded performance on {service}", "Dégradation des performances de {service}"),
    "data-inconsistency": ("Data inconsistency in {service}", "Incohérence de données dans {service}"),
    "backlog": ("Message backlog on {service}", "Retard de traitement sur {service}"),
}
KIND_WEIGHTS = [28, 16, 26, 14, 7, 9]
NEAR_MISS_TITLES = [
    ("Near miss: certificate almost expired on {service}", "Quasi-incident : certificat presque expiré sur {service}"),
    ("Near miss: disk almost full on {service}", "Quasi-incident : disque presque plein sur {service}"),
    ("Near miss: bad config caught in canary on {service}", "Quasi-incident : mauvaise config détectée en canary sur {service}"),
]

SYMPTOM = {
    "latency": ("suffered high latency", "une latence élevée"),
    "outage": ("was unavailable", "une indisponibilité"),
    "errors": ("returned an elevated rate of errors", "un taux d'erreurs élevé"),
    "degradation": ("ran with degraded performance", "une dégradation des performances"),
    "data-inconsistency": ("produced inconsistent data", "des incohérences de données"),
    "backlog": ("accumulated a large message backlog", "un retard de traitement important"),
    "near-miss": ("came close to an incident", "un quasi-incident"),
}

# Per cause category texts.  {service}, {version}, {provider}, {team} are filled in.
CAUSE_TEXT: dict[str, dict] = {
    "code": {
        "short": {
            "en": ["an N+1 query introduced in {version}", "an unbounded retry loop in the new HTTP client",
                   "a missing database index after the {version} migration",
                   "a null pointer on an unexpected empty payload", "a cache key collision introduced in {version}"],
            "fr": ["une requête N+1 introduite dans {version}", "une boucle de retry sans limite dans le nouveau client HTTP",
                   "un index manquant après la migration {version}", "un null pointer sur un payload vide inattendu",
                   "une collision de clés de cache introduite dans {version}"],
        },
        "follow": {
            "en": "Under normal production traffic it exhausted the database connection pool of {service}.",
            "fr": "Sous le trafic normal de production, cela a saturé le pool de connexions de {service}.",
        },
        "whys": {
            "en": [("was {service} failing", "The database connection pool was saturated."),
                   ("was the connection pool saturated", "Each request issued far more queries than before."),
                   ("did the change reach production", "The code review did not spot the extra queries."),
                   ("did the tests not catch it", "The load tests run on a dataset far too small to show the effect."),
                   ("is the test dataset so small", "Nobody owns the performance test environment.")],
            "fr": [("le service {service} était-il en échec", "Le pool de connexions à la base était saturé."),
                   ("le pool était-il saturé", "Chaque requête émettait beaucoup plus de requêtes SQL qu'avant."),
                   ("la modification est-elle arrivée en production", "La revue de code n'a pas repéré les requêtes supplémentaires."),
                   ("les tests ne l'ont-ils pas détecté", "Les tests de charge tournent sur un jeu de données trop petit."),
                   ("le jeu de données est-il si petit", "Personne n'est responsable de l'environnement de test de performance.")],
        },
        "actions": {
            "en": ["Add a lint rule against N+1 queries", "Add load tests with production-sized data",
                   "Add a query count metric per endpoint", "Add a regression test for the empty payload case",
                   "Enable canary deployments for {service}", "Cap retries with exponential backoff"],
            "fr": ["Ajouter une lint rule contre les N+1", "Tests de charge avec un volume de production",
                   "Métrique du nombre de queries par endpoint", "Test de non-régression sur le payload vide",
                   "Activer le déploiement canary pour {service}", "Limiter les retries avec backoff exponentiel"],
        },
        "lessons": {
            "en": [("Review", "query patterns deserve an explicit checklist item in code review"),
                   ("Load tests", "tests on small datasets give false confidence"),
                   ("Canary", "a progressive rollout would have limited the blast radius")],
            "fr": [("Revue de code", "les patterns de requêtes méritent un point explicite dans la checklist"),
                   ("Tests de charge", "des tests sur de petits volumes donnent une fausse confiance"),
                   ("Canary", "un déploiement progressif aurait limité l'impact")],
        },
        "improve": {
            "en": ["Performance regressions are not caught before production.", "The rollback took longer than expected."],
            "fr": ["Les régressions de performance ne sont pas détectées avant la production.", "Le rollback a pris plus de temps que prévu."],
        },
        "mitigation": {"en": "hotfix shipped for {service}", "fr": "hotfix livré pour {service}"},
        "tags": ["deploy", "database", "regression"],
    },
    "monitoring": {
        "short": {
            "en": ["a disk usage alert threshold set at 99%", "an alert routed to a muted channel",
                   "a missing alert on queue depth", "a dashboard showing stale cached metrics",
                   "an error-rate alert evaluated over a 1-hour window"],
            "fr": ["un seuil d'alerte disque réglé à 99%", "une alerte routée vers un canal muet",
                   "l'absence d'alerte sur la profondeur de file", "un dashboard affichant des métriques en cache",
                   "une alerte de taux d'erreur évaluée sur une fenêtre d'une heure"],
        },
        "follow": {
            "en": "The degradation of {service} grew unnoticed until users were already affected.",
            "fr": "La dégradation de {service} a grandi sans être vue jusqu'à ce que les utilisateurs soient touchés.",
        },
        "whys": {
            "en": [("did users notice the problem before we did", "No alert fired when {service} started to degrade."),
                   ("did no alert fire", "The alert threshold was far above the normal operating range."),
                   ("was the threshold so high", "It was copied from another service years ago."),
                   ("was it never reviewed", "Alert definitions have no owner and no review cycle."),
                   ("is there no review cycle", "Monitoring is not part of the definition of done.")],
            "fr": [("les utilisateurs ont-ils vu le problème avant nous", "Aucune alerte ne s'est déclenchée quand {service} a commencé à se dégrader."),
                   ("aucune alerte ne s'est-elle déclenchée", "Le seuil d'alerte était bien au-dessus de la plage normale."),
                   ("le seuil était-il si haut", "Il avait été copié depuis un autre service il y a des années."),
                   ("n'a-t-il jamais été revu", "Les alertes n'ont ni propriétaire ni cycle de revue."),
                   ("n'y a-t-il pas de cycle de revue", "Le monitoring ne fait pas partie de la definition of done.")],
        },
        "actions": {
            "en": ["Lower the alert threshold and add a warning level", "Add an alert on queue depth for {service}",
                   "Review alert routing for the {team} team", "Add an SLO dashboard for {service}",
                   "Add a synthetic check on {service}", "Document alert ownership"],
            "fr": ["Baisser le seuil d'alerte et ajouter un niveau warning", "Ajouter une alerte sur la profondeur de file de {service}",
                   "Revoir le routage des alertes de l'équipe {team}", "Créer un dashboard SLO pour {service}",
                   "Ajouter un check synthétique sur {service}", "Documenter les propriétaires des alertes"],
        },
        "lessons": {
            "en": [("Alerting", "alert on symptoms users feel, not only on causes"),
                   ("Ownership", "every alert needs an owner and a review date"),
                   ("Detection", "our time to detect is the weakest part of the response")],
            "fr": [("Alerting", "alerter sur les symptômes vus par les utilisateurs, pas seulement sur les causes"),
                   ("Responsabilité", "chaque alerte doit avoir un propriétaire et une date de revue"),
                   ("Détection", "le temps de détection est le point faible de notre réponse")],
        },
        "improve": {
            "en": ["Detection took too long; the first signal came from users.", "Alert routing is not documented."],
            "fr": ["La détection a pris trop de temps ; le premier signal est venu des utilisateurs.", "Le routage des alertes n'est pas documenté."],
        },
        "mitigation": {"en": "queue drained and {service} restarted", "fr": "file vidée et {service} redémarré"},
        "tags": ["alerting", "observability"],
    },
    "process": {
        "short": {
            "en": ["a manual change applied outside the change process", "a maintenance window not communicated to on-call",
                   "a runbook step skipped during the migration", "two conflicting releases scheduled at the same time"],
            "fr": ["une modification manuelle appliquée hors du processus de changement",
                   "une fenêtre de maintenance non communiquée à l'astreinte",
                   "une étape du runbook sautée pendant la migration",
                   "deux mises en production concurrentes planifiées en même temps"],
        },
        "follow": {
            "en": "The change process did not require a second reviewer for this type of operation.",
            "fr": "Le processus de changement n'imposait pas de second relecteur pour ce type d'opération.",
        },
        "whys": {
            "en": [("did {service} stop serving traffic", "A change was applied that conflicted with the running release."),
                   ("was the conflicting change applied", "The engineer was not aware of the other release."),
                   ("was the engineer not aware of it", "Releases are announced in several different channels."),
                   ("are there several channels", "The release calendar was never consolidated after the reorg."),
                   ("was it never consolidated", "No team owns the change management process.")],
            "fr": [("{service} a-t-il cessé de répondre", "Une modification en conflit avec la release en cours a été appliquée."),
                   ("la modification a-t-elle été appliquée", "L'ingénieur n'était pas au courant de l'autre release."),
                   ("n'était-il pas au courant", "Les releases sont annoncées dans plusieurs canaux différents."),
                   ("y a-t-il plusieurs canaux", "Le calendrier des releases n'a jamais été unifié après la réorganisation."),
                   ("n'a-t-il jamais été unifié", "Aucune équipe ne porte le processus de gestion des changements.")],
        },
        "actions": {
            "en": ["Publish a single release calendar", "Require a second reviewer for production changes",
                   "Update the migration runbook", "Announce maintenance windows to on-call automatically",
                   "Add a change freeze checklist"],
            "fr": ["Publier un calendrier unique des releases", "Exiger un second relecteur pour les changements en production",
                   "Mettre à jour le runbook de migration", "Annoncer automatiquement les maintenances à l'astreinte",
                   "Ajouter une checklist de gel des changements"],
        },
        "lessons": {
            "en": [("Change management", "a single calendar avoids conflicting releases"),
                   ("Runbooks", "a runbook is only useful when it is followed step by step"),
                   ("Communication", "on-call must know about every planned operation")],
            "fr": [("Gestion des changements", "un calendrier unique évite les releases en conflit"),
                   ("Runbooks", "un runbook n'est utile que s'il est suivi pas à pas"),
                   ("Communication", "l'astreinte doit connaître toutes les opérations planifiées")],
        },
        "improve": {
            "en": ["Planned operations are not visible to the on-call engineer.", "The change request template is too vague."],
            "fr": ["Les opérations planifiées ne sont pas visibles de l'astreinte.", "Le template de demande de changement est trop vague."],
        },
        "mitigation": {"en": "change reverted manually", "fr": "modification annulée manuellement"},
        "tags": ["change-management", "runbook"],
    },
    "people": {
        "short": {
            "en": ["a command run against production instead of staging", "a configuration value mistyped during an urgent fix",
                   "an on-call handover that missed an ongoing issue"],
            "fr": ["une commande lancée sur la production au lieu du staging",
                   "une valeur de configuration mal saisie pendant un correctif urgent",
                   "une passation d'astreinte qui a oublié un problème en cours"],
        },
        "follow": {
            "en": "The engineer was working alone late in the day and no guard rail prevented the mistake.",
            "fr": "L'ingénieur travaillait seul en fin de journée et aucun garde-fou n'a empêché l'erreur.",
        },
        "whys": {
            "en": [("did {service} lose its configuration", "A command meant for staging was run against production."),
                   ("was it run against production", "Both environments use the same shell profile and prompt."),
                   ("do they look the same", "The production context is not highlighted in the tooling."),
                   ("was the mistake not stopped", "There is no confirmation step for destructive commands."),
                   ("is there no confirmation step", "The team was alone on a late fix without a pair.")],
            "fr": [("{service} a-t-il perdu sa configuration", "Une commande prévue pour le staging a été lancée en production."),
                   ("a-t-elle été lancée en production", "Les deux environnements ont le même profil shell et le même prompt."),
                   ("se ressemblent-ils", "Le contexte production n'est pas mis en évidence dans l'outillage."),
                   ("l'erreur n'a-t-elle pas été bloquée", "Il n'y a pas d'étape de confirmation pour les commandes destructives."),
                   ("n'y a-t-il pas de confirmation", "L'équipe était seule sur un correctif tardif, sans binôme.")],
        },
        "actions": {
            "en": ["Add a red production prompt", "Add a confirmation step for destructive commands",
                   "Pair on urgent production fixes", "Write an on-call handover template", "Train the team on the new tooling"],
            "fr": ["Prompt rouge pour la production", "Ajouter une confirmation pour les commandes destructives",
                   "Travailler en binôme sur les correctifs urgents", "Template de passation d'astreinte",
                   "Former l'équipe au nouvel outillage"],
        },
        "lessons": {
            "en": [("Guard rails", "mistakes are normal; the tooling must make them hard"),
                   ("Pairing", "urgent fixes deserve a second pair of eyes"),
                   ("Handover", "a written handover avoids losing context")],
            "fr": [("Garde-fous", "les erreurs sont normales ; l'outillage doit les rendre difficiles"),
                   ("Binôme", "un correctif urgent mérite un second regard"),
                   ("Passation", "une passation écrite évite de perdre le contexte")],
        },
        "improve": {
            "en": ["Late urgent fixes are done alone.", "The production context is easy to confuse with staging."],
            "fr": ["Les correctifs urgents tardifs sont faits seuls.", "Le contexte production se confond facilement avec le staging."],
        },
        "mitigation": {"en": "configuration restored from backup", "fr": "configuration restaurée depuis la sauvegarde"},
        "tags": ["human-error", "on-call"],
    },
    "tools": {
        "short": {
            "en": ["a CI pipeline bug that shipped an incomplete artifact", "a Terraform plan that silently dropped a firewall rule",
                   "a feature-flag service outage that reset flags to defaults", "a log shipper consuming all the disk I/O"],
            "fr": ["un bug de la CI qui a livré un artefact incomplet", "un plan Terraform qui a supprimé silencieusement une règle firewall",
                   "une panne du service de feature flags qui a remis les flags par défaut",
                   "un agent de logs qui consommait toutes les I/O disque"],
        },
        "follow": {
            "en": "The tooling had no validation step for this case.",
            "fr": "L'outillage n'avait aucune étape de validation pour ce cas.",
        },
        "whys": {
            "en": [("did {service} start failing after the release", "The deployed artifact was missing files."),
                   ("was the artifact incomplete", "A CI cache was restored from an older build."),
                   ("was an old cache restored", "The cache key did not include the lockfile hash."),
                   ("was the artifact not verified", "The pipeline has no smoke test after packaging."),
                   ("is there no smoke test", "The pipeline template predates the current deployment model.")],
            "fr": [("{service} a-t-il échoué après la release", "L'artefact déployé était incomplet."),
                   ("l'artefact était-il incomplet", "Un cache de la CI a été restauré depuis un ancien build."),
                   ("un ancien cache a-t-il été restauré", "La clé de cache n'incluait pas le hash du lockfile."),
                   ("l'artefact n'a-t-il pas été vérifié", "Le pipeline n'a pas de smoke test après le packaging."),
                   ("n'y a-t-il pas de smoke test", "Le template de pipeline est antérieur au modèle de déploiement actuel.")],
        },
        "actions": {
            "en": ["Add a smoke test after packaging", "Include the lockfile hash in the CI cache key",
                   "Require a reviewed plan for Terraform applies", "Add a fallback to default-off feature flags",
                   "Limit the log shipper I/O"],
            "fr": ["Ajouter un smoke test après le packaging", "Inclure le hash du lockfile dans la clé de cache",
                   "Exiger une revue du plan Terraform", "Fallback des feature flags à désactivé",
                   "Limiter les I/O de l'agent de logs"],
        },
        "lessons": {
            "en": [("Tooling", "our tools are production systems too"),
                   ("Verification", "verify the artifact, not only the build"),
                   ("Defaults", "safe defaults matter when a dependency fails")],
            "fr": [("Outillage", "nos outils sont aussi des systèmes de production"),
                   ("Vérification", "vérifier l'artefact, pas seulement le build"),
                   ("Valeurs par défaut", "des valeurs par défaut sûres comptent quand une dépendance tombe")],
        },
        "improve": {
            "en": ["The CI pipeline has no post-build verification.", "Tooling changes are not announced to service teams."],
            "fr": ["La CI n'a pas de vérification après le build.", "Les changements d'outillage ne sont pas annoncés aux équipes."],
        },
        "mitigation": {"en": "previous artifact redeployed", "fr": "artefact précédent redéployé"},
        "tags": ["ci", "tooling"],
    },
    "environment": {
        "short": {
            "en": ["a node pool running out of memory after a traffic spike", "an expired TLS certificate on the internal load balancer",
                   "a full disk on the primary database host", "a network partition between two availability zones"],
            "fr": ["un node pool à court de mémoire après un pic de trafic", "un certificat TLS expiré sur le load balancer interne",
                   "un disque plein sur l'hôte de la base primaire", "une partition réseau entre deux zones de disponibilité"],
        },
        "follow": {
            "en": "Capacity and expiry checks for this part of the infrastructure were manual.",
            "fr": "Les vérifications de capacité et d'expiration pour cette partie de l'infrastructure étaient manuelles.",
        },
        "whys": {
            "en": [("were {service} pods crashing", "The nodes ran out of memory."),
                   ("did the nodes run out of memory", "Traffic doubled and the cluster did not scale."),
                   ("did the cluster not scale", "The autoscaler had reached its maximum node count."),
                   ("was the maximum so low", "It was sized for last year's traffic."),
                   ("was it not revised", "Capacity planning is done by hand once a year.")],
            "fr": [("les pods de {service} redémarraient-ils", "Les nœuds manquaient de mémoire."),
                   ("les nœuds manquaient-ils de mémoire", "Le trafic a doublé et le cluster n'a pas grandi."),
                   ("le cluster n'a-t-il pas grandi", "L'autoscaler avait atteint son nombre maximal de nœuds."),
                   ("le maximum était-il si bas", "Il avait été dimensionné pour le trafic de l'an dernier."),
                   ("n'a-t-il pas été revu", "La planification de capacité est faite à la main une fois par an.")],
        },
        "actions": {
            "en": ["Raise the autoscaler maximum", "Automate certificate renewal", "Add disk usage forecasting",
                   "Run a quarterly capacity review", "Test zone failover"],
            "fr": ["Augmenter le maximum de l'autoscaler", "Automatiser le renouvellement des certificats",
                   "Prévision de l'usage disque", "Revue de capacité trimestrielle", "Tester la bascule de zone"],
        },
        "lessons": {
            "en": [("Capacity", "capacity planning must follow traffic, not the calendar"),
                   ("Automation", "anything that expires must renew itself"),
                   ("Resilience", "a single zone failure should not take the service down")],
            "fr": [("Capacité", "la planification de capacité doit suivre le trafic, pas le calendrier"),
                   ("Automatisation", "tout ce qui expire doit se renouveler tout seul"),
                   ("Résilience", "la perte d'une zone ne doit pas arrêter le service")],
        },
        "improve": {
            "en": ["Capacity limits are not visible on dashboards.", "Certificate expiry is tracked in a spreadsheet."],
            "fr": ["Les limites de capacité ne sont pas visibles sur les dashboards.", "L'expiration des certificats est suivie dans un tableur."],
        },
        "mitigation": {"en": "capacity increased and pods restarted", "fr": "capacité augmentée et pods redémarrés"},
        "tags": ["capacity", "infrastructure"],
    },
    "external": {
        "short": {
            "en": ["a degradation of the {provider} API", "rate limiting introduced without notice by {provider}",
                   "a DNS outage at {provider}"],
            "fr": ["une dégradation de l'API {provider}", "un rate limiting introduit sans préavis par {provider}",
                   "une panne DNS chez {provider}"],
        },
        "follow": {
            "en": "{service} had no fallback and no circuit breaker for this dependency.",
            "fr": "{service} n'avait ni fallback ni circuit breaker pour cette dépendance.",
        },
        "whys": {
            "en": [("were {service} requests timing out", "Calls to {provider} took more than 30 seconds."),
                   ("did slow calls affect all requests", "The calls are synchronous and share one thread pool."),
                   ("is there no circuit breaker", "The integration was written as a quick prototype."),
                   ("was the prototype never hardened", "The dependency was considered reliable."),
                   ("was it considered reliable", "Its status history was never reviewed.")],
            "fr": [("les requêtes de {service} expiraient-elles", "Les appels à {provider} prenaient plus de 30 secondes."),
                   ("les appels lents touchaient-ils toutes les requêtes", "Les appels sont synchrones et partagent un seul pool de threads."),
                   ("n'y a-t-il pas de circuit breaker", "L'intégration a été écrite comme un prototype rapide."),
                   ("le prototype n'a-t-il jamais été durci", "La dépendance était considérée comme fiable."),
                   ("était-elle considérée comme fiable", "Personne n'avait regardé l'historique de son statut.")],
        },
        "actions": {
            "en": ["Add a circuit breaker around {provider} calls", "Configure a backup provider",
                   "Subscribe to the {provider} status page", "Make {provider} calls asynchronous",
                   "Add timeouts on all outbound calls"],
            "fr": ["Circuit breaker autour des appels {provider}", "Configurer un fournisseur de secours",
                   "S'abonner à la page de statut {provider}", "Rendre les appels {provider} asynchrones",
                   "Ajouter des timeouts sur tous les appels sortants"],
        },
        "lessons": {
            "en": [("Dependencies", "every third party will fail one day"),
                   ("Isolation", "a slow dependency must not block unrelated requests"),
                   ("Vendors", "know the vendor's status page and escalation path")],
            "fr": [("Dépendances", "tout tiers tombera un jour en panne"),
                   ("Isolation", "une dépendance lente ne doit pas bloquer les autres requêtes"),
                   ("Fournisseurs", "connaître la page de statut et le contact d'escalade du fournisseur")],
        },
        "improve": {
            "en": ["We learned about the vendor outage from our own customers.", "There is no fallback for {provider}."],
            "fr": ["Nous avons appris la panne du fournisseur par nos propres clients.", "Il n'y a pas de solution de repli pour {provider}."],
        },
        "mitigation": {"en": "traffic switched to the backup provider", "fr": "trafic basculé vers le fournisseur de secours"},
        "tags": ["third-party", "vendor"],
    },
}

WENT_WELL = {
    "en": ["The on-call engineer acknowledged the alert within minutes.", "The rollback procedure worked as documented.",
           "Communication in the incident channel was clear and frequent.", "The status page was updated early.",
           "The right experts joined the call quickly.", "Dashboards made the impact easy to quantify.",
           "Customer support had a ready-made answer for users."],
    "fr": ["L'astreinte a pris l'alerte en quelques minutes.", "La procédure de rollback a fonctionné comme documenté.",
           "La communication dans le canal d'incident était claire et régulière.", "La page de statut a été mise à jour tôt.",
           "Les bons experts ont rejoint l'appel rapidement.", "Les dashboards ont permis de chiffrer l'impact facilement.",
           "Le support client avait une réponse prête pour les utilisateurs."],
}
IMPROVE_GENERAL = {
    "en": ["The runbook for {service} was out of date.", "Escalation to the owning team was slow.",
           "Customer support was informed late.", "Nobody kept a written timeline during the incident."],
    "fr": ["Le runbook de {service} n'était pas à jour.", "L'escalade vers l'équipe propriétaire a été lente.",
           "Le support client a été prévenu tard.", "Personne n'a tenu de timeline écrite pendant l'incident."],
}
ACTIONS_GENERAL = {
    "en": ["Update the {service} runbook", "Add the incident to the on-call training", "Review escalation paths for {team}"],
    "fr": ["Mettre à jour le runbook de {service}", "Ajouter l'incident à la formation d'astreinte",
           "Revoir les chemins d'escalade de l'équipe {team}"],
}
LESSONS_GENERAL = {
    "en": [("Status page", "an early status page update saves support a lot of work")],
    "fr": [("Page de statut", "une mise à jour précoce de la page de statut soulage beaucoup le support")],
}
DETECT_TEXT = {
    "en": ["First alert: error rate > 1% on {service}", "First alert: p99 latency > 2s on {service}",
           "First alert from the synthetic check", "First alert: customer reports via support"],
    "fr": ["Première alerte : error rate > 1% sur {service}", "Première alerte : latence p99 > 2s sur {service}",
           "Première alerte du check synthétique", "Première alerte : signalements clients via le support"],
}
EXTRA_EVENTS = {
    "en": ["Incident channel opened (#inc-{service})", "Escalation to the {team} team lead", "Status page updated",
           "Customer support notified", "Database team joins the call"],
    "fr": ["Canal d'incident ouvert (#inc-{service})", "Escalade vers le lead de l'équipe {team}", "Page de statut mise à jour",
           "Support client prévenu", "L'équipe base de données rejoint l'appel"],
}


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------

def _iso_ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _fmt_duration_md(minutes: int, rng: random.Random) -> str:
    d, rem = divmod(minutes, 1440)
    h, m = divmod(rem, 60)
    if d:
        return f"{d}d {h}h {m}m"
    if h == 0:
        return rng.choice([f"{m} min", f"0h {m}m"])
    return f"{h}h {m}m"


def _fmt_duration_struct(minutes: int, rng: random.Random):
    r = rng.random()
    if r < 0.3:
        return minutes
    d, rem = divmod(minutes, 1440)
    h, m = divmod(rem, 60)
    if r < 0.55:
        s = "P" + (f"{d}D" if d else "") + "T" + (f"{h}H" if h else "") + (f"{m}M" if m or not (h or d) else "")
        return s if not s.endswith("T") else s[:-1]
    if d:
        return f"{d}d {h}h {m}m"
    if h == 0:
        return f"{m} min"
    return f"{h}h {m}m"


def _fmt_int(n: int, lang: str) -> str:
    if n < 1000:
        return str(n)
    s = f"{n:,}"
    return s.replace(",", " ") if lang == "fr" else s


def _add_business_days(d: date, n: int) -> date:
    while n > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def _fill(text: str, rec: dict) -> str:
    return text.format(service=rec["service"], version=rec["version"], provider=rec["provider"], team=rec["team"])


def _write(path: Path, text: str, *, bom: bool = False, crlf: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if crlf:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)


def _csv_text(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# Record generation
# --------------------------------------------------------------------------------------

def _timing(rng: random.Random) -> dict:
    if rng.random() < 0.9:
        total = int(min(720, max(15, rng.lognormvariate(math.log(50), 0.7))))
    else:
        total = int(min(4300, max(180, rng.lognormvariate(math.log(600), 0.9))))
    if rng.random() < 0.92:
        ttd = int(min(15, max(1, rng.lognormvariate(math.log(5), 0.6))))
    else:
        ttd = rng.randint(16, 90)
    ttd = max(1, min(ttd, int(total * 0.4)))
    tta = rng.randint(1, 6)
    if total - ttd - tta < 4:
        total = ttd + tta + rng.randint(5, 20)
    ack = ttd + tta
    rem = total - ack
    identify = ack + max(1, int(rem * rng.uniform(0.2, 0.5)))
    mitigate = identify + max(1, int((total - identify) * rng.uniform(0.3, 0.8)))
    mitigate = min(mitigate, total - 1)
    return {"detect": ttd, "ack": ack, "identify": identify, "mitigate": mitigate, "resolve": total}


def _skeletons(rng: random.Random, count: int) -> list[dict]:
    span = (RANGE_END - RANGE_START).days
    recs: list[dict] = []
    n_recent = 5 if count >= 50 else count // 10
    n_clusters = min(8, count // 45) or (1 if count >= 12 else 0)
    all_services = [(t, s) for t in TEAM_NAMES for s in TEAMS[t]["services"]]
    for c, (team, service) in enumerate(rng.sample(all_services, n_clusters)):
        cause = rng.choice(["code", "monitoring", "environment", "code", "tools", "external"])
        size = rng.randint(3, 5)
        anchor = RANGE_START + timedelta(days=rng.randint(0, (date(2026, 8, 1) - RANGE_START).days))
        offsets = sorted(rng.sample(range(0, 88), size))
        offsets = [o - offsets[0] for o in offsets]
        for k, off in enumerate(offsets):
            recs.append({"date": anchor + timedelta(days=off), "team": team, "service": service,
                         "cause": cause, "cluster": c, "cluster_pos": k})
    for _ in range(n_recent):
        team = rng.choice(TEAM_NAMES)
        recs.append({"date": date(2026, 10, 1) + timedelta(days=rng.randint(0, 40)), "team": team,
                     "service": rng.choice(TEAMS[team]["services"]),
                     "cause": rng.choices(CAUSES, CAUSE_WEIGHTS)[0], "recent_no_pm": True})
    while len(recs) < count:
        team = rng.choice(TEAM_NAMES)
        recs.append({"date": RANGE_START + timedelta(days=rng.randint(0, span)), "team": team,
                     "service": rng.choice(TEAMS[team]["services"]),
                     "cause": rng.choices(CAUSES, CAUSE_WEIGHTS)[0]})
    for r in recs:
        if rng.random() < 0.7:
            r["start_min"] = rng.randint(8 * 60, 19 * 60)
        else:
            r["start_min"] = rng.randint(0, 24 * 60 - 1)
        r["severity"] = rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]
        r["near_miss"] = r["severity"] in ("P3", "P4") and rng.random() < 0.1
        r["lang"] = "fr" if rng.random() < 0.4 else "en"
        r["offsets"] = _timing(rng)
        r.setdefault("recent_no_pm", False)
        r.setdefault("cluster", None)
    recs.sort(key=lambda r: (r["date"], r["start_min"], r["service"]))
    per_year: dict[int, int] = {}
    for r in recs:
        y = r["date"].year
        per_year[y] = per_year.get(y, 0) + 1
        r["id"] = f"PM-{y}-{per_year[y]:03d}"
    return recs


def _assign_formats(rng: random.Random, recs: list[dict]) -> None:
    n = len(recs)
    counts = {"json": round(n * 0.15), "yaml": round(n * 0.10), "csv": round(n * 0.10), "frontmatter": round(n * 0.10)}
    if n >= 10:
        counts = {k: max(1, v) for k, v in counts.items()}
    labels = ["markdown"] * (n - sum(counts.values()))
    for k, v in counts.items():
        labels += [k] * v
    rng.shuffle(labels)
    for r, lab in zip(recs, labels):
        r["format"] = lab
    # Make sure recurrence clusters can be linked: every second cluster only uses id-bearing formats.
    linkable = ("json", "yaml", "frontmatter")
    clusters: dict[int, list[dict]] = {}
    for r in recs:
        if r["cluster"] is not None:
            clusters.setdefault(r["cluster"], []).append(r)
    donors = [r for r in recs if r["cluster"] is None and r["format"] in linkable]
    for c, members in clusters.items():
        if c % 2:
            continue
        for m in members:
            if m["format"] not in linkable and donors:
                d = donors.pop(rng.randrange(len(donors)))
                m["format"], d["format"] = d["format"], m["format"]
    for members in clusters.values():
        first = members[0]
        for k, m in enumerate(members[1:], start=1):
            if m["format"] not in linkable:
                continue
            target = first if rng.random() < 0.7 else members[k - 1]
            if target["format"] in linkable + ("csv",) and (first["cluster"] % 2 == 0 or rng.random() < 0.6):
                m["recurrence_of"] = [target["id"]]


def _action_status(rng: random.Random, age: int, structured: bool) -> str:
    if age < 45:
        opts = [("todo", 40), ("in_progress", 35), ("done", 15), ("blocked", 12 if structured else 2), ("cancelled", 2)]
    elif age < 120:
        opts = [("done", 60), ("in_progress", 15), ("todo", 10), ("blocked", 9 if structured else 1), ("cancelled", 5)]
    else:
        opts = [("done", 85), ("cancelled", 7), ("in_progress", 3), ("todo", 3), ("blocked", 5 if structured else 0.5)]
    return rng.choices([o[0] for o in opts], [o[1] for o in opts])[0]


def _details(rng: random.Random, r: dict) -> None:
    team = TEAMS[r["team"]]
    lang = r["lang"]
    ct = CAUSE_TEXT[r["cause"]]
    r["provider"] = rng.choice(team["providers"])
    r["version"] = f"v{rng.randint(1, 5)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"
    r["kind"] = "near-miss" if r["near_miss"] else rng.choices(list(KINDS), KIND_WEIGHTS)[0]
    if r["near_miss"]:
        r["title"] = rng.choice(NEAR_MISS_TITLES)[0 if lang == "en" else 1].format(service=r["service"])
    else:
        r["title"] = KINDS[r["kind"]][0 if lang == "en" else 1].format(service=r["service"])
    # times
    start = datetime(r["date"].year, r["date"].month, r["date"].day) + timedelta(minutes=r["start_min"])
    o = r["offsets"]
    r["times"] = {k: start + timedelta(minutes=o[k]) for k in ("detect", "ack", "identify", "mitigate", "resolve")}
    r["times"]["start"] = start
    r["duration"] = o["resolve"]
    # post-mortem date
    if r["recent_no_pm"]:
        r["pm_date"] = None
    else:
        if rng.random() < 0.15:
            pm = r["date"] + timedelta(days=rng.randint(10, 40))
        else:
            pm = _add_business_days(r["date"], rng.randint(1, 5))
        r["pm_date"] = min(pm, REF_TODAY)
    # people
    members = team["members"]
    author = rng.choice(members)
    others = rng.sample([m for m in members if m != author], rng.randint(1, min(3, len(members) - 1)))
    r["author"] = author[0]
    r["participants"] = [author[0]] + [m[0] for m in others]
    handles = ["@" + m[1] for m in members]
    r["readers"] = sorted(rng.sample(handles, rng.randint(1, len(handles))), key=handles.index)
    # impact
    sev = r["severity"]
    if r["near_miss"]:
        r["customer_impact"] = False
        users, failed, lost, cost = 0, 0, None, rng.choice([None, 0])
    else:
        r["customer_impact"] = rng.random() < {"P1": 0.92, "P2": 0.7, "P3": 0.4, "P4": 0.15}[sev]
        lo, hi = {"P1": (5000, 80000), "P2": (500, 12000), "P3": (50, 2500), "P4": (0, 300)}[sev]
        users = round(rng.randint(lo, hi), -1) if r["customer_impact"] else rng.randint(0, 40)
        failed = users * rng.randint(1, 6) + rng.randint(0, 99)
        lost = int(users * rng.uniform(0.02, 0.3)) if r["team"] in ("payments", "checkout") else None
        clo, chi = {"P1": (5000, 80000), "P2": (800, 15000), "P3": (100, 3000), "P4": (0, 500)}[sev]
        cost = round(rng.randint(clo, chi), -1)
        if rng.random() < 0.15:
            users = None
        if rng.random() < 0.2:
            failed = None
        if rng.random() < 0.25:
            cost = None
    r["users_affected"], r["failed_requests"], r["lost_transactions"], r["estimated_cost"] = users, failed, lost, cost
    # texts
    short = _fill(rng.choice(ct["short"][lang]), r)
    r["short"] = short
    lead = "The root cause was " if lang == "en" else "La cause racine était "
    r["root_cause"] = lead + short + "." + (" " + _fill(ct["follow"][lang], r) if rng.random() < 0.8 else "")
    sym = SYMPTOM[r["kind"]][0 if lang == "en" else 1]
    dur_txt = _fmt_duration_md(r["duration"], random.Random(0))
    mitig = _fill(ct["mitigation"][lang], r) if r["cause"] != "code" else (
        "a rollback to the previous version" if lang == "en" else "un rollback vers la version précédente")
    if r["near_miss"] and lang == "en":
        r["summary"] = (f"On {r['date'].isoformat()}, a near miss on {r['service']} was caught before any user "
                        f"impact. The cause was {short}; it was fixed within {dur_txt}.")
    elif r["near_miss"]:
        r["summary"] = (f"Le {r['date'].strftime('%d/%m/%Y')}, un quasi-incident sur {r['service']} a été détecté "
                        f"avant tout impact utilisateur. La cause était {short} ; corrigé en {dur_txt}.")
    elif lang == "en":
        r["summary"] = (f"On {r['date'].isoformat()}, {r['service']} {sym} for {dur_txt}. "
                        f"The cause was {short}; service was restored after {mitig}.")
    else:
        r["summary"] = (f"Le {r['date'].strftime('%d/%m/%Y')}, {r['service']} a subi {sym} pendant {dur_txt}. "
                        f"La cause était {short} ; le service a été rétabli après : {mitig}.")
    r["whys"] = [(_fill(q, r), _fill(a, r)) for q, a in ct["whys"][lang]]
    lessons = list(ct["lessons"][lang]) + list(LESSONS_GENERAL[lang])
    r["lessons"] = rng.sample(lessons, rng.randint(2, 3))
    r["went_well"] = rng.sample(WENT_WELL[lang], rng.randint(2, 4))
    imp = [_fill(x, r) for x in ct["improve"][lang] + IMPROVE_GENERAL[lang]]
    r["improve"] = rng.sample(imp, rng.randint(2, 4))
    secondary = [c for c in CAUSES if c != r["cause"]]
    r["causes"] = [r["cause"]] + ([rng.choice(secondary)] if rng.random() < 0.2 else [])
    r["tags"] = [r["cause"], r["service"]] + rng.sample(ct["tags"], rng.randint(1, min(2, len(ct["tags"]))))
    if r["near_miss"]:
        r["tags"].append("near-miss")
    # timeline
    t = r["times"]
    tl = []
    if r["cause"] in ("code", "tools"):
        ev = f"Deployment of {r['version']} to production" if lang == "en" else f"Déploiement {r['version']} en production"
    elif r["cause"] in ("process", "people"):
        chg = f"CHG-{rng.randint(1000, 9999)}"
        ev = f"Deployment of change {chg}" if lang == "en" else f"Déploiement du changement {chg}"
    elif r["cause"] == "external":
        ev = (f"Start of impact: {r['provider']} API slows down" if lang == "en"
              else f"Début de l'impact : ralentissement de l'API {r['provider']}")
    else:
        ev = (f"Start of impact: error rate rising on {r['service']}" if lang == "en"
              else f"Début de l'impact : hausse des erreurs sur {r['service']}")
    tl.append((t["start"], ev, "start"))
    tl.append((t["detect"], _fill(rng.choice(DETECT_TEXT[lang]), r), "detect"))
    if rng.random() < 0.9:
        tl.append((t["ack"], "On-call acknowledges the alert" if lang == "en" else "On-call acknowledge l'alerte", "acknowledge"))
    tl.append((t["identify"], ("Cause identified: " if lang == "en" else "Cause identifiée : ") + short, "identify"))
    if r["cause"] == "code" and rng.random() < 0.75:
        mev = "Rollback complete" if lang == "en" else "Rollback terminé"
    else:
        mev = ("Mitigation applied: " if lang == "en" else "Mitigation appliquée : ") + _fill(ct["mitigation"][lang], r)
    tl.append((t["mitigate"], mev, "mitigate"))
    tl.append((t["resolve"], "Incident declared resolved" if lang == "en" else "Incident déclaré résolu", "resolve"))
    n_extra = rng.choice([0, 1, 1, 2, 3])
    for ev in rng.sample(EXTRA_EVENTS[lang], n_extra):
        span = int((t["mitigate"] - t["ack"]).total_seconds() // 60)
        at = t["ack"] + timedelta(minutes=rng.randint(0, max(0, span)))
        tl.append((at, _fill(ev, r), "other"))
    tl.sort(key=lambda e: e[0])
    r["timeline"] = tl
    # actions
    structured = r["format"] in ("json", "yaml", "csv")
    age = (REF_TODAY - r["date"]).days
    pool = [_fill(a, r) for a in ct["actions"][lang] + ACTIONS_GENERAL[lang]]
    actions = []
    for desc in rng.sample(pool, rng.randint(2, 6)):
        due = r["date"] + timedelta(days=rng.randint(7, 45))
        a = {"description": desc, "owner": "@" + rng.choice(members)[1], "due": due,
             "priority": rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0], "status": _action_status(rng, age, structured),
             "ticket": None, "completed_at": None, "blocked_since": None}
        if rng.random() < 0.65:
            a["ticket"] = rng.choice([f"JIRA-{rng.randint(100, 4999)}", f"PR#{rng.randint(10, 2999)}",
                                      f"OPS-{rng.randint(10, 999)}"])
        if a["status"] == "done":
            lo = r["pm_date"] or r["date"] + timedelta(days=1)
            if due < lo:
                c = lo + timedelta(days=rng.randint(0, 10))
            elif due < REF_TODAY and rng.random() < 0.15:
                c = due + timedelta(days=rng.randint(1, 30))
            else:
                c = lo + timedelta(days=rng.randint(0, (due - lo).days))
            a["completed_at"] = max(r["date"] + timedelta(days=1), min(c, REF_TODAY))
        elif a["status"] == "blocked":
            b = r["date"] + timedelta(days=rng.randint(2, 20))
            a["blocked_since"] = min(b, REF_TODAY - timedelta(days=1))
        actions.append(a)
    r["actions"] = actions


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------

class _Variety:
    """rng stand-in for rendering: each list of spellings is used in full before repeating at random,
    so that every variant shows up somewhere in the corpus."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: dict[tuple, set] = {}

    def random(self) -> float:
        return self.rng.random()

    def choice(self, options):
        used = self.used.setdefault(tuple(options), set())
        for o in options:
            if o not in used:
                used.add(o)
                return o
        return self.rng.choice(options)


def _md_severity(rng: random.Random, sev: str, lang: str) -> str:
    return sev if rng.random() < 0.75 else rng.choice(SEV_SPELLINGS[lang][sev])


def _render_markdown(rng: random.Random, r: dict) -> str:
    lang = r["lang"]
    fr = lang == "fr"
    slash = fr and rng.random() < 0.25

    def d(x: date) -> str:
        return x.strftime("%d/%m/%Y") if slash else x.isoformat()

    L = []
    L.append(f"# Post-Mortem: {r['title']}")
    L.append("")
    L.append(f"**{'Date de l' + chr(39) + 'incident' if fr else 'Incident date'}**: {d(r['date'])}")
    L.append(f"**{'Auteur' if fr else 'Author'}**: {r['author']}")
    if r["pm_date"] is not None:
        L.append(f"**{'Date du post-mortem' if fr else 'Post-mortem date'}**: {d(r['pm_date'])}")
    L.append(f"**Participants**: {', '.join(r['participants'])}")
    L.append(f"**{'Équipe' if fr else 'Team'}**: {r['team']}")
    L.append(f"**Service**: {r['service']}")
    L.append(f"**{'Sévérité' if fr else 'Severity'}**: {_md_severity(rng, r['severity'], lang)}")
    L.append(f"**{'Catégorie de cause' if fr else 'Cause category'}**: {r['cause']}")
    L.append("")
    L.append("## Résumé Exécutif" if fr else "## Executive Summary")
    L.append("")
    L.append(r["summary"])
    L.append("")
    L.append("## Impact")
    L.append("")
    na = lambda: rng.choice(["N/A", "N/A", "-"])  # noqa: E731
    if fr:
        L += ["| Métrique | Valeur |", "|----------|--------|"]
    else:
        L += ["| Metric | Value |", "|--------|-------|"]
    L.append(f"| {'Durée' if fr else 'Duration'} | {_fmt_duration_md(r['duration'], rng)} |")
    u = r["users_affected"]
    us = na() if u is None else (("~" if u >= 1000 and rng.random() < 0.5 else "") + _fmt_int(u, lang))
    L.append(f"| {'Utilisateurs affectés' if fr else 'Users affected'} | {us} |")
    f_ = r["failed_requests"]
    L.append(f"| {'Requêtes en erreur' if fr else 'Failed requests'} | {na() if f_ is None else _fmt_int(f_, lang) if rng.random() < 0.4 else f_} |")
    lo = r["lost_transactions"]
    L.append(f"| {'Transactions perdues' if fr else 'Lost transactions'} | {na() if lo is None else lo} |")
    c = r["estimated_cost"]
    if c is None:
        cs = na()
    elif fr:
        cs = rng.choice([f"{c}€", f"{_fmt_int(c, 'fr')} €"])
    else:
        cs = rng.choice([f"€{c:,}", f"{c}€", f"{c} EUR"])
    L.append(f"| {'Coût estimé' if fr else 'Estimated cost'} | {cs} |")
    L.append("")
    L.append("## Timeline (UTC)")
    L.append("")
    L += ["| Heure | Événement |", "|-------|-----------|"] if fr else ["| Time | Event |", "|------|-------|"]
    tl = list(r["timeline"])
    if r.get("planted_timeline"):
        i = next(k for k, e in enumerate(tl) if e[2] == "identify")
        j = next(k for k in range(i + 1, len(tl)) if tl[k][0] > tl[i][0])
        tl[i], tl[j] = tl[j], tl[i]
    for at, ev, _ in tl:
        ts = at.strftime("%H:%M") if at.date() == r["date"] else at.strftime("%Y-%m-%d %H:%M")
        L.append(f"| {ts} | {ev} |")
    L.append("")
    L.append("## Cause Racine (Root Cause Analysis)" if fr else "## Root Cause")
    L.append("")
    L.append("### Qu'est-ce qui s'est passé ?" if fr else "### What happened?")
    L.append("")
    L.append(r["root_cause"])
    L.append("")
    L.append("### Pourquoi c'est arrivé ?" if fr else "### Why did it happen?")
    L.append("")
    L.append("**5 Whys Analysis**:")
    L.append("")
    for i, (q, a) in enumerate(r["whys"], 1):
        L.append(f"{i}. **Pourquoi** {q} ?" if fr else f"{i}. **Why** {q}?")
        L.append(f"   → {a}")
        L.append("")
    L.append("## Ce Qui a Bien Fonctionné" if fr else "## What Went Well")
    L.append("")
    L += [f"- {x}" for x in r["went_well"]]
    L.append("")
    L.append("## Ce Qui Peut Être Amélioré" if fr else "## What Can Be Improved")
    L.append("")
    L += [f"- {x}" for x in r["improve"]]
    L.append("")
    L.append("## Actions Correctives" if fr else ("## Action Items" if rng.random() < 0.3 else "## Corrective Actions"))
    L.append("")
    L.append("| Action | Owner | Deadline | Priority | Status | PR/Ticket |")
    L.append("|--------|-------|----------|----------|--------|-----------|")
    shown = r.get("md_status_override", {})
    for j, a in enumerate(r["actions"]):
        due = a.get("due_raw") or d(a["due"])
        pr = rng.choice(PRIO_P[a["priority"]]) if rng.random() < 0.1 else PRIO_MD[lang if rng.random() < 0.85 else "en"][a["priority"]]
        st = rng.choice(STATUS_MD[lang][shown.get(j, a["status"])])
        # Teams date what they close or block in the status cell; the pipeline reads it.
        if j not in shown and a["status"] == "done" and a["completed_at"]:
            st += f" ({d(a['completed_at'])})"
        elif j not in shown and a["status"] == "blocked" and a["blocked_since"]:
            st += f" ({'depuis le' if fr else 'since'} {d(a['blocked_since'])})"
        L.append(f"| {a['description']} | {a['owner']} | {due} | {pr} | {st} | {a['ticket'] or '-'} |")
    L.append("")
    L.append("## Leçons Apprises" if fr else "## Lessons Learned")
    L.append("")
    for i, (t, x) in enumerate(r["lessons"], 1):
        L.append(f"{i}. **{t}** : {x}." if fr else f"{i}. **{t}**: {x}.")
    L.append("")
    return "\n".join(L)


def _front_matter(rng: random.Random, r: dict) -> str:
    fm: dict = {"id": r["id"], "team": r["team"], "service": r["service"], "severity": r["severity"],
                "cause_category": r["causes"] if len(r["causes"]) > 1 else r["cause"], "tags": r["tags"],
                "readers": r["readers"]}
    if r.get("recurrence_of"):
        fm["recurrence_of"] = r["recurrence_of"]
    fm["near_miss"] = r["near_miss"]
    fm["customer_impact"] = r["customer_impact"]
    if rng.random() < 0.6:
        for key, ev in (("started_at", "start"), ("detected_at", "detect"), ("acknowledged_at", "ack"),
                        ("mitigated_at", "mitigate"), ("resolved_at", "resolve")):
            fm[key] = _iso_ts(r["times"][ev])
    body = yaml.safe_dump(fm, sort_keys=False, allow_unicode=True, default_flow_style=None)
    return "---\n" + body + "---\n\n"


def _struct_status(rng: random.Random, status: str) -> str:
    return rng.choice(STATUS_VARIANTS_STRUCT[status]) if rng.random() < 0.1 else status


def _struct_record(rng: random.Random, r: dict, yaml_dates: bool = False) -> dict:
    def dd(x: date):
        return x if yaml_dates else x.isoformat()

    t = r["times"]
    o: dict = {"id": r["id"], "title": r["title"], "incident_date": dd(r["date"])}
    if r["pm_date"] is not None:
        o["postmortem_date"] = dd(r["pm_date"])
    o["author"] = r["author"]
    o["participants"] = r["participants"]
    o["severity"] = r["severity"] if rng.random() < 0.92 else rng.choice(SEV_SPELLINGS["en"][r["severity"]])
    o["team"] = r["team"]
    o["service"] = r["service"]
    o["started_at"] = _iso_ts(t["start"])
    o["detected_at"] = _iso_ts(t["start"] - timedelta(minutes=7)) if r.get("planted_detect") else _iso_ts(t["detect"])
    o["acknowledged_at"] = _iso_ts(t["ack"])
    o["mitigated_at"] = _iso_ts(t["mitigate"])
    o["resolved_at"] = _iso_ts(t["resolve"])
    if not r.get("planted_detect") and rng.random() < 0.35:
        off = r["offsets"]
        o["time_to_detect"] = _fmt_duration_struct(off["detect"], rng)
        o["time_to_acknowledge"] = _fmt_duration_struct(off["ack"], rng)
        o["time_to_mitigate"] = _fmt_duration_struct(off["mitigate"], rng)
        o["time_to_resolve"] = _fmt_duration_struct(off["resolve"], rng)
    for k in ("users_affected", "failed_requests", "lost_transactions", "estimated_cost"):
        if r[k] is not None:
            o[k] = r[k]
    o["customer_impact"] = r["customer_impact"]
    o["near_miss"] = r["near_miss"]
    o["cause_category"] = r["causes"] if len(r["causes"]) > 1 else r["cause"]
    o["root_cause"] = r["root_cause"]
    o["summary"] = r["summary"]
    if r.get("recurrence_of"):
        o["recurrence_of"] = r["recurrence_of"]
    o["tags"] = r["tags"]
    o["readers"] = r["readers"]
    acts = []
    for j, a in enumerate(r["actions"]):
        x = {"description": a["description"], "owner": a["owner"], "due": a.get("due_raw") or dd(a["due"]),
             "priority": a["priority"] if rng.random() < 0.9 else PRIO_MD["en"][a["priority"]],
             "status": "parked" if r.get("planted_status") == j else _struct_status(rng, a["status"])}
        if a["ticket"]:
            x["ticket"] = a["ticket"]
        if a["completed_at"]:
            x["completed_at"] = dd(a["completed_at"])
        if a["blocked_since"]:
            x["blocked_since"] = dd(a["blocked_since"])
        acts.append(x)
    o["actions"] = acts
    o["timeline"] = [{"at": _iso_ts(at), "event": ev} for at, ev, _ in r["timeline"]]
    o["whys"] = [f"{'Why' if r['lang'] == 'en' else 'Pourquoi'} {q}{'?' if r['lang'] == 'en' else ' ?'} → {a}"
                 for q, a in r["whys"]]
    o["lessons"] = [f"{t_}: {x}" for t_, x in r["lessons"]]
    return o


def _slug(r: dict) -> str:
    return f"{r['date'].isoformat()}-{r['service']}-{r['kind']}"


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------

def write_demo_corpus(out: Path, count: int = 300, seed: int = 42) -> dict:
    """Write a deterministic synthetic corpus into out/ and return a summary dict:
    {"postmortems": N, "files": {format: n}, "malformed": [relative paths]}

    Extra keys: "postmortems_by_format" {format: n}, "planted" (the partial problems:
    {kind: {"path": relpath, "id": id}}), "missing_postmortems" (incident ids that
    required a post-mortem and have none), "trackers" (relative paths).
    Files that exist are overwritten; nothing is removed.  Any count >= 1 works, but the full set
    of features (clusters, trackers, encodings, planted problems) needs a count of about 100 or more.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    out = Path(out)
    rng = random.Random(seed)
    recs = _skeletons(rng, count)
    _assign_formats(rng, recs)

    plain_md = [r for r in recs if r["format"] == "markdown"]
    # a few incidents crossing midnight, shown with full timestamps in Markdown
    # and one that lasted more than a day
    forced_cands = [r for r in plain_md if not r["recent_no_pm"]]
    forced = rng.sample(forced_cands, min(4, len(forced_cands)))
    for r in forced[:3]:
        r["start_min"] = 23 * 60 + rng.randint(15, 55)
        if r["offsets"]["resolve"] < 40:
            r["offsets"] = {"detect": 4, "ack": 7, "identify": 20, "mitigate": 38, "resolve": 40 + rng.randint(5, 90)}
    for r in forced[3:]:
        if r["offsets"]["resolve"] < 1440:
            total = rng.randint(1500, 4000)
            r["offsets"] = {"detect": rng.randint(2, 15), "ack": 18, "identify": rng.randint(60, 600),
                            "mitigate": total - rng.randint(30, 300), "resolve": total}

    for r in recs:
        _details(rng, r)

    # ---- planted partial problems --------------------------------------------------
    planted: dict = {}
    taken: set[str] = set()

    def pick(cands):
        cands = [c for c in cands if c["id"] not in taken]
        if not cands:
            return None
        c = rng.choice(cands)
        taken.add(c["id"])
        return c

    c = pick([r for r in recs if r["format"] == "frontmatter" and r["lang"] == "en"]
             or [r for r in recs if r["format"] == "frontmatter"])
    if c:
        c["actions"][0]["due_raw"] = "next sprint"
        planted["bad_due_date"] = c
    c = pick([r for r in recs if r["format"] == "yaml"])
    if c:
        c["planted_status"] = len(c["actions"]) - 1
        planted["unknown_status"] = c
    # Markdown cannot say since when an action is blocked, so blocked actions are rare there;
    # make sure each language still shows the word at least once.
    for lang in ("en", "fr"):
        cands = [r for r in plain_md if r["lang"] == lang and r["id"] not in taken]
        if cands and not any(a["status"] == "blocked" for r in cands for a in r["actions"]):
            c = pick(cands)
            act = c["actions"][-1]
            act["status"], act["completed_at"] = "blocked", None
            act["blocked_since"] = min(c["date"] + timedelta(days=rng.randint(2, 20)), REF_TODAY - timedelta(days=1))
        elif cands:
            taken.update(r["id"] for r in cands if any(a["status"] == "blocked" for a in r["actions"]))
    # encodings (plain Markdown only)
    fr_md = [r for r in plain_md if r["lang"] == "fr" and r["id"] not in taken]
    mac = rng.sample(fr_md, min(3, len(fr_md)))
    for r in mac:
        r["encoding"] = "mac_roman"
        taken.add(r["id"])
    c = pick([r for r in recs if r["format"] == "markdown" and not r.get("encoding")
              and r["times"]["resolve"].date() == r["date"]])
    if c:
        c["planted_timeline"] = True
        planted["timeline_out_of_order"] = c
    c = pick([r for r in recs if r["format"] == "json"])
    if c:
        c["planted_detect"] = True
        planted["detected_before_start"] = c

    # ---- trackers: plan them before rendering Markdown (they change shown statuses) --
    seen_keys: dict[tuple, int] = {}
    for r in recs:
        if r["format"] in ("markdown", "frontmatter"):
            seen_keys[(r["title"], r["date"])] = seen_keys.get((r["title"], r["date"]), 0) + 1
    cands_by_team: dict[str, list[dict]] = {}
    for r in recs:
        if (r["format"] in ("markdown", "frontmatter") and r["pm_date"] is not None and r["id"] not in taken
                and seen_keys[(r["title"], r["date"])] == 1 and r["pm_date"] < REF_TODAY - timedelta(days=3)):
            cands_by_team.setdefault(r["team"], []).append(r)
    teams_ok = [t for t in TEAM_NAMES if len(cands_by_team.get(t, [])) >= 2]
    rng.shuffle(teams_ok)
    n_trackers = 6 if count >= 100 else 4
    trackers = []
    for i in range(len(teams_ok) * 3):
        if len(trackers) == n_trackers:
            break
        team = teams_ok[i % len(teams_ok)]
        cands = [r for r in cands_by_team[team] if r["id"] not in taken]
        k = rng.randint(2, 4)
        if len(cands) < k:
            continue
        starts = list(range(len(cands) - k + 1))
        recent = [j for j in starts if cands[j]["date"] >= REF_TODAY - timedelta(days=200)]
        if i % 2 == 0 and recent:
            starts = recent
        tight = [j for j in starts if (cands[j + k - 1]["date"] - cands[j]["date"]).days <= 60]
        s0 = rng.choice(tight or starts)
        group = cands[s0:s0 + k]
        for g in group:
            taken.add(g["id"])
        last_pm = max(g["pm_date"] for g in group)
        review = min(last_pm + timedelta(days=rng.randint(2, 14)), REF_TODAY)
        trackers.append({"team": team, "group": group, "review": review, "lang": rng.choice(["fr", "en"])})
        for g in group:
            # The tracker shows each action's status as of the review date; the post-mortem
            # itself (written earlier) shows that status or an earlier one.
            g["tracker_status"], ov = [], {}
            for j, a in enumerate(g["actions"]):
                st = a["status"]
                if st == "done" and a["completed_at"] > review:
                    st = "in_progress"
                elif st == "blocked" and a["blocked_since"] > review:
                    st = "in_progress"
                g["tracker_status"].append(st)
                if st == "done" and rng.random() < 0.6:
                    ov[j] = rng.choice(["todo", "in_progress"])
                elif st == "in_progress" and rng.random() < 0.5:
                    ov[j] = "todo"
                else:
                    ov[j] = st
            g["md_status_override"] = ov

    # remaining encodings: BOM and CRLF now; one cp1252 mojibake is picked while writing
    # (the first French plain Markdown file whose UTF-8 bytes are all defined in cp1252).
    rest = [r for r in recs if r["format"] in ("markdown", "frontmatter") and not r.get("encoding")
            and r["id"] not in taken]
    chosen = rng.sample(rest, min(10, len(rest)))
    for k, r in enumerate(chosen):
        r["encoding"] = "bom" if k % 2 == 0 else "crlf"

    # ---- write ------------------------------------------------------------------------
    files: dict[str, int] = {"markdown": 0, "markdown_frontmatter": 0, "json": 0, "yaml": 0, "csv": 0,
                             "tracker": 0, "incidents": 0}
    by_format = {"markdown": 0, "markdown_frontmatter": 0, "json": 0, "yaml": 0, "csv": 0}
    used_paths: set[str] = set()
    cp1252_done = False
    variety = _Variety(rng)

    def unique(rel: str) -> str:
        base, dot, ext = rel.rpartition(".")
        n, cand = 2, rel
        while cand in used_paths:
            cand = f"{base}-{n}.{ext}"
            n += 1
        used_paths.add(cand)
        return cand

    for r in recs:
        if r["format"] not in ("markdown", "frontmatter"):
            continue
        rel = unique(f"markdown/{r['team']}/{_slug(r)}.md")
        r["path"] = rel
        text = _render_markdown(variety, r)
        if r["format"] == "frontmatter":
            text = _front_matter(rng, r) + text
        enc = r.get("encoding")
        if (not cp1252_done and enc is None and r["format"] == "markdown" and r["lang"] == "fr"
                and r["id"] not in taken):
            try:
                text.encode("utf-8").decode("cp1252")
                enc = r["encoding"] = "cp1252"
                cp1252_done = True
            except UnicodeDecodeError:
                pass
        if enc == "mac_roman":
            text = text.encode("utf-8").decode("mac_roman")
        elif enc == "cp1252":
            text = text.encode("utf-8").decode("cp1252", errors="replace")
        _write(out / rel, text, bom=enc == "bom", crlf=enc == "crlf")
        key = "markdown" if r["format"] == "markdown" else "markdown_frontmatter"
        files[key] += 1
        by_format[key] += 1

    for fmt, ext in (("json", "json"), ("yaml", "yaml")):
        group = [r for r in recs if r["format"] == fmt]
        i = batch_no = 0
        while i < len(group):
            remaining = len(group) - i
            if remaining >= 5 and i > 0 and (rng.random() < 0.3 or batch_no == 0):
                k = min(rng.randint(5, 10), remaining)
                batch = group[i:i + k]
                batch_no += 1
                rel = unique(f"{fmt}/batch-{batch_no:02d}-{batch[0]['date'].strftime('%Y-%m')}.{ext}")
            else:
                batch = group[i:i + 1]
                rel = unique(f"{fmt}/{_slug(batch[0])}.{ext}")
            i += len(batch)
            objs = []
            for r in batch:
                r["path"] = rel
                objs.append(_struct_record(rng, r, yaml_dates=(fmt == "yaml" and rng.random() < 0.5)))
            payload = objs if len(batch) > 1 or rel.split("/")[-1].startswith("batch-") else objs[0]
            if fmt == "json":
                text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
            else:
                text = yaml.safe_dump(payload, sort_keys=False, allow_unicode=True, width=100)
            _write(out / rel, text)
            files[fmt] += 1
            by_format[fmt] += len(batch)

    csv_recs = [r for r in recs if r["format"] == "csv"]
    pm_cols = ["id", "title", "incident_date", "postmortem_date", "author", "severity", "team", "service",
               "started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at", "users_affected",
               "failed_requests", "lost_transactions", "estimated_cost", "customer_impact", "near_miss",
               "cause_category", "root_cause", "summary", "tags", "readers"]
    act_cols = ["postmortem_id", "description", "owner", "due", "priority", "status", "ticket", "completed_at",
                "blocked_since"]
    pm_rows, act_rows = [], []

    def blank(v):
        return "" if v is None else v

    for r in csv_recs:
        r["path"] = "csv/postmortems.csv"
        t = r["times"]
        pm_rows.append([r["id"], r["title"], r["date"].isoformat(), r["pm_date"].isoformat() if r["pm_date"] else "",
                        r["author"], r["severity"], r["team"], r["service"], _iso_ts(t["start"]), _iso_ts(t["detect"]),
                        _iso_ts(t["ack"]), _iso_ts(t["mitigate"]), _iso_ts(t["resolve"]), blank(r["users_affected"]),
                        blank(r["failed_requests"]), blank(r["lost_transactions"]), blank(r["estimated_cost"]),
                        str(r["customer_impact"]).lower(), str(r["near_miss"]).lower(), ";".join(r["causes"]),
                        r["root_cause"], r["summary"], ";".join(r["tags"]), ";".join(r["readers"])])
        for a in r["actions"]:
            act_rows.append([r["id"], a["description"], a["owner"], a["due"].isoformat(), a["priority"],
                             _struct_status(rng, a["status"]), blank(a["ticket"]),
                             a["completed_at"].isoformat() if a["completed_at"] else "",
                             a["blocked_since"].isoformat() if a["blocked_since"] else ""])
    _write(out / "csv/postmortems.csv", _csv_text(pm_cols, pm_rows))
    _write(out / "csv/actions.csv", _csv_text(act_cols, act_rows))
    files["csv"] += 2
    by_format["csv"] += len(csv_recs)

    # trackers
    tracker_paths = []
    for k, tr in enumerate(trackers, 1):
        fr = tr["lang"] == "fr"
        L = ["## Actions Post-Mortem Tracker", ""]
        for g in tr["group"]:
            L.append(f"### Incident: {g['title']} - {g['date'].isoformat()}")
            L.append("")
            L.append("| # | Action | Owner | Due | Status | PR/Ticket |")
            L.append("|---|--------|-------|-----|--------|-----------|")
            for j, a in enumerate(g["actions"], 1):
                ts = g["tracker_status"][j - 1]
                st = STATUS_TRACKER[ts]
                if rng.random() < 0.2:
                    st = variety.choice(STATUS_MD[tr["lang"]][ts])
                L.append(f"| {j} | {a['description']} | {a['owner']} | {a['due'].strftime('%m/%d')} | {st} | "
                         f"{a['ticket'] or '-'} |")
            L.append("")
        nxt = tr["review"] + timedelta(days=7)
        L.append(f"**{'Dernière review' if fr else 'Last review'}**: {tr['review'].isoformat()}")
        L.append(f"**{'Prochaine review' if fr else 'Next review'}**: {nxt.isoformat()}")
        L.append("")
        rel = unique(f"trackers/{tr['review'].isoformat()}-{tr['team']}-tracker.md")
        _write(out / rel, "\n".join(L))
        tracker_paths.append(rel)
        files["tracker"] += 1

    # incidents list
    inc_rows = []
    for r in recs:
        if r["format"] == "markdown":
            continue  # no id to link: the pipeline derives it from the path
        inc_rows.append((r["times"]["start"], r["severity"], r["times"]["resolve"], r["customer_impact"], r["id"], False))
    span = (RANGE_END - RANGE_START).days
    n_short = max(3, round(34 * count / 300))
    n_missing = 7 if count >= 100 else 3
    for i in range(n_short + n_missing):
        day = RANGE_START + timedelta(days=rng.randint(0, span))
        start = datetime(day.year, day.month, day.day) + timedelta(minutes=rng.randint(0, 24 * 60 - 1))
        if i < n_short:
            sev, dur, ci = rng.choice(["P3", "P4", "P4"]), rng.randint(4, 28), False
        else:
            kind = (i - n_short) % 3
            if kind == 0:
                sev, dur, ci = "P1", rng.randint(20, 240), True
            elif kind == 1:
                sev, dur, ci = "P2", rng.randint(35, 300), rng.random() < 0.5
            else:
                sev, dur, ci = "P3", rng.randint(10, 90), True
        inc_rows.append((start, sev, start + timedelta(minutes=dur), ci, "", i >= n_short))
    inc_rows.sort(key=lambda x: (x[0], x[4]))
    per_year: dict[int, int] = {}
    rows, missing_ids = [], []
    for start, sev, end, ci, pm, needs_pm in inc_rows:
        per_year[start.year] = per_year.get(start.year, 0) + 1
        inc_id = f"INC-{start.year}-{per_year[start.year]:04d}"
        if needs_pm:
            missing_ids.append(inc_id)
        rows.append([inc_id, sev, _iso_ts(start), _iso_ts(end), str(ci).lower(), pm])
    _write(out / "incidents/incidents.csv",
           _csv_text(["incident_id", "severity", "started_at", "resolved_at", "customer_impact", "postmortem_id"], rows))
    files["incidents"] += 1

    # malformed files (exactly five)
    malformed = []
    bad = json.dumps({"id": "PM-2025-999", "title": "Truncated export", "incident_date": "2025-05-05",
                      "summary": "This export was cut in the middle of a string"}, indent=2)
    _write(out / "json/malformed-truncated.json", bad[: len(bad) // 2 + 7])
    malformed.append("json/malformed-truncated.json")
    _write(out / "yaml/malformed-plain-string.yaml",
           "just a reminder to write the post-mortem for the friday outage\n")
    malformed.append("yaml/malformed-plain-string.yaml")
    _write(out / "markdown/platform/malformed-notes.md",
           "random notes from the coffee machine\n\nneed to ask bob about the logs\n"
           "call the vendor on tuesday\nbring snacks to the retro\n")
    malformed.append("markdown/platform/malformed-notes.md")
    _write(out / "csv/malformed-export.csv",
           _csv_text(["row_no", "colour", "weight_kg", "shipped_on"], [[1, "blue", "3.2", "2025-01-04"],
                                                                       [2, "red", "1.1", "2025-01-09"]]))
    malformed.append("csv/malformed-export.csv")
    nobody = {"team": "search", "service": "search-api", "severity": "P3",
              "summary": "Someone started this post-mortem and never filled in the header.",
              "actions": [{"description": "Fill in the header", "owner": "@paul", "status": "todo"}]}
    _write(out / "json/malformed-no-identity.json", json.dumps(nobody, ensure_ascii=False, indent=2) + "\n")
    malformed.append("json/malformed-no-identity.json")

    return {
        "postmortems": len(recs),
        "files": files,
        "malformed": malformed,
        "postmortems_by_format": by_format,
        "planted": {k: {"path": v["path"], "id": v["id"]} for k, v in planted.items()},
        "missing_postmortems": missing_ids,
        "trackers": tracker_paths,
    }


if __name__ == "__main__":  # pragma: no cover
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "demo_corpus")
    print(json.dumps(write_demo_corpus(target), indent=2))
