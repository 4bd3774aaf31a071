"""The quarterly review pack (an HTML document from a Jinja2 template) and the open actions in the practice
guide's tracker form. Presentation only: every number comes from analytics/."""

from hindsight.review.pack import QuarterError, render, write_review
from hindsight.review.tracker import tracker_markdown

__all__ = ["QuarterError", "render", "tracker_markdown", "write_review"]
