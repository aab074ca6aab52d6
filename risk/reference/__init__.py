"""Reference data the risk method reads: the ILAB list of goods, country boundaries, country indices."""
