"""The compiler: mapping files -> diagnostics, checked plan, generated adapters."""
