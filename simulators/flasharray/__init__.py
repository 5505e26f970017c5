"""FlashArray REST 2.x simulator. Not built yet."""
