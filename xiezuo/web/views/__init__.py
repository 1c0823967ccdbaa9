"""Page views, one module per area. Views are thin: filters in ../filters.py, forms in
../forms.py, every write through an app's actions."""
