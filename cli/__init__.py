"""The ``loomline`` command."""
