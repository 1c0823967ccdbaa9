"""The pages that span apps (the home page); each app's own pages live in its views.py."""
