"""The UI kit every app's pages share: form mixins and fields, view helpers, export
formatting. It imports no app: apps import it."""
