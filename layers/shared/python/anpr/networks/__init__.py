"""Camera networks and police zones as data (issue 12): who operates which cameras, where each
zone lies, and the per-network credentials cameras upload with (docs/networks.md)."""
