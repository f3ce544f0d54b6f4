"""Image in: decode safely, visual features, palette, captioner (BLIP where weights exist), and the bridge to a music plan."""
