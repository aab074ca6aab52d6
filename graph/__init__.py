"""The supplier graph: facilities, recruiters, relationships, matching of shared sites."""
