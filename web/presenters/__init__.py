"""Page data for templates, one module per screen: labels, URLs and paging computed here, so templates only print."""
