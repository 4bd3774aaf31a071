"""Hindsight's front door: the command line (cli), the configuration file and the database's location that
the command line and the dashboard share (config), and the demo corpus generator (demo)."""

__version__ = "0.1.0"
