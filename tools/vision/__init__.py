"""Image in: decode safely, visual features, palette, captioner (BLIP where weights exist), and the bridge to a
music plan and a MusicGen prompt."""

from tunesmith.tools.vision.bridge import BridgeResult, plan_from_image
from tunesmith.tools.vision.decode import ImageInputError, load_rgb
from tunesmith.tools.vision.describe import ImageAnalysis, describe_image

__all__ = ["BridgeResult", "ImageAnalysis", "ImageInputError", "describe_image", "load_rgb", "plan_from_image"]
