"""Staff pages of the disclosure app in the Wagtail admin, one module per topic."""
