"""The mapc language server: diagnostics, hover, completion, navigation, formatting, fixes."""
