"""Draw the brand images of the Monogoto integration.

Run from anywhere, with Pillow installed:

    python3 scripts/make_brand.py

It writes the PNG files of ``custom_components/monogoto/brand/`` (the icon and
logo that Home Assistant shows for a custom integration). The images are
generated rather than drawn by hand so that they are reproducible and plainly
original: a generic SIM-card glyph (a card with one cut corner and a chip with
contact pads) plus the word "Monogoto" set in an ordinary font. No trademark or
logo of Monogoto or anyone else is copied.

Every image is drawn at several times its final size and then scaled down,
which gives smooth, antialiased edges. The layout follows the rules of the
home-assistant/brands repository: PNG, transparent background, trimmed, icons
square at 256x256 (512x512 for @2x), logos 128 px high (256 px for @2x).

The icon has no dark variant: the teal card and gold chip read well on light
and on dark backgrounds alike, and Home Assistant falls back to ``icon.png``.
The logo has one, because its word is dark slate on light backgrounds and
near-white on dark ones.
"""

from dataclasses import dataclass
from functools import cache
import math
from pathlib import Path
import sys

from PIL import Image, ImageDraw, ImageFont

BRAND_DIR = Path(__file__).resolve().parent.parent / "custom_components/monogoto/brand"

SUPERSAMPLE = 8  # draw at 8x the final size, then scale down

# Colours (RGB). The card goes from the light teal at its top left to the deep
# teal at its bottom right; the chip from light gold to deep gold.
CARD_LIGHT = (32, 201, 176)
CARD_DARK = (11, 122, 117)
CHIP_LIGHT = (255, 214, 102)
CHIP_DARK = (222, 160, 38)
CHIP_GAP = (134, 88, 14)
TEXT_ON_LIGHT = (23, 48, 56)
TEXT_ON_DARK = (236, 244, 243)

# The card's shape, as fractions of its height (its width is CARD_ASPECT of it).
CARD_ASPECT = 0.74
CARD_CORNER = 0.085  # rounding of the three square corners
CARD_CUT = 0.25  # how far the cut corner runs along each edge (of the width)
CUT_CORNER = 0.03  # slight rounding where the cut meets the edges

# The chip, as fractions of the card's width (x) and height (y).
CHIP_BOX = (0.17, 0.42, 0.83, 0.86)  # left, top, right, bottom
CHIP_COLUMNS = (0.35, 0.65)  # where the two vertical gaps are, across the chip
CHIP_CORNER = 0.07  # of the card's width
CHIP_GAP_WIDTH = 0.028  # of the card's width

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/Library/Fonts/DejaVuSans-Bold.ttf",
    "DejaVuSans-Bold.ttf",
)
WORD = "Monogoto"


@dataclass(frozen=True)
class Variant:
    """One look of the logo: a file-name prefix and the colour of its word."""

    prefix: str
    text: tuple[int, int, int]


VARIANTS = (Variant("", TEXT_ON_LIGHT), Variant("dark_", TEXT_ON_DARK))

Point = tuple[float, float]


def rounded_polygon(points: list[Point], corners: list[float]) -> list[Point]:
    """Return the outline of a polygon whose corners are rounded.

    ``corners[i]`` is how far from vertex ``i`` the rounding starts along each
    of its edges; the corner itself is replaced by a smooth quadratic curve.
    """
    outline: list[Point] = []
    count = len(points)
    for i, (vx, vy) in enumerate(points):
        px, py = points[i - 1]
        nx, ny = points[(i + 1) % count]
        size = corners[i]
        to_prev = math.dist((vx, vy), (px, py))
        to_next = math.dist((vx, vy), (nx, ny))
        start = (vx + (px - vx) * size / to_prev, vy + (py - vy) * size / to_prev)
        end = (vx + (nx - vx) * size / to_next, vy + (ny - vy) * size / to_next)
        steps = 32
        for step in range(steps + 1):
            t = step / steps
            outline.append(
                (
                    (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * vx + t**2 * end[0],
                    (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * vy + t**2 * end[1],
                )
            )
    return outline


def diagonal_gradient(
    size: tuple[int, int], start: tuple[int, int, int], end: tuple[int, int, int]
) -> Image.Image:
    """Return an RGBA image shading from ``start`` (top left) to ``end`` (bottom right)."""
    width, height = size
    side = math.ceil(math.hypot(width, height))
    ramp = Image.linear_gradient("L").resize((side, side)).rotate(45, expand=True)
    left = (ramp.width - width) // 2
    top = (ramp.height - height) // 2
    ramp = ramp.crop((left, top, left + width, top + height))
    return Image.composite(
        Image.new("RGBA", size, (*end, 255)),
        Image.new("RGBA", size, (*start, 255)),
        ramp,
    )


def paint(
    canvas: Image.Image, shape: list[Point], fill: Image.Image, at: tuple[int, int]
) -> None:
    """Paint ``fill``, cut to ``shape`` (in its own coordinates), onto ``canvas`` at ``at``."""
    mask = Image.new("L", fill.size, 0)
    ImageDraw.Draw(mask).polygon(shape, fill=255)
    canvas.paste(fill, at, mask)


def draw_glyph(height: int) -> Image.Image:
    """Draw the SIM-card glyph, ``height`` pixels tall, on a transparent canvas."""
    width = round(height * CARD_ASPECT)
    size = (width, height)
    glyph = Image.new("RGBA", size, (0, 0, 0, 0))

    # The card: a rectangle whose top-right corner is cut off.
    cut = CARD_CUT * width
    corner = CARD_CORNER * height
    card = [(0, 0), (width - cut, 0), (width, cut), (width, height), (0, height)]
    cut_round = CUT_CORNER * height
    card_outline = rounded_polygon(card, [corner, cut_round, cut_round, corner, corner])
    paint(glyph, card_outline, diagonal_gradient(size, CARD_LIGHT, CARD_DARK), (0, 0))

    # The chip: a gold rounded square, its contact pads parted by dark gaps.
    # It is drawn on its own small canvas, then painted onto the card.
    left, top = round(CHIP_BOX[0] * width), round(CHIP_BOX[1] * height)
    chip_w = round(CHIP_BOX[2] * width) - left
    chip_h = round(CHIP_BOX[3] * height) - top
    chip = diagonal_gradient((chip_w, chip_h), CHIP_LIGHT, CHIP_DARK)
    pen = ImageDraw.Draw(chip)
    gap = round(CHIP_GAP_WIDTH * width)
    column_1, column_2 = chip_w * CHIP_COLUMNS[0], chip_w * CHIP_COLUMNS[1]
    # Two vertical gaps make three columns; the side columns hold three pads each.
    for x in (column_1, column_2):
        pen.line([(x, 0), (x, chip_h)], fill=CHIP_GAP, width=gap)
    for y in (chip_h / 3, chip_h * 2 / 3):
        pen.line([(0, y), (column_1, y)], fill=CHIP_GAP, width=gap)
        pen.line([(column_2, y), (chip_w, y)], fill=CHIP_GAP, width=gap)
    chip_corner = CHIP_CORNER * width
    chip_outline = rounded_polygon(
        [(0, 0), (chip_w, 0), (chip_w, chip_h), (0, chip_h)], [chip_corner] * 4
    )
    paint(glyph, chip_outline, chip, (left, top))
    return glyph


def downsample(image: Image.Image) -> Image.Image:
    """Scale a supersampled drawing down to its final size.

    Each final pixel becomes the average of its SUPERSAMPLE x SUPERSAMPLE block
    (a box filter, weighted by alpha): exact edge coverage, with none of the
    faint halo or stray pixels a sharper filter such as Lanczos leaves around
    shapes on a transparent background.
    """
    size = (image.width // SUPERSAMPLE, image.height // SUPERSAMPLE)
    return image.resize(size, Image.Resampling.BOX)


def make_icon(side: int) -> Image.Image:
    """Return the square icon, ``side`` pixels wide: the glyph centred in it."""
    big = side * SUPERSAMPLE
    margin = round(side / 64) * SUPERSAMPLE  # a hair of room above and below
    glyph = draw_glyph(big - 2 * margin)
    canvas = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    canvas.alpha_composite(glyph, ((big - glyph.width) // 2, margin))
    return downsample(canvas)


@cache
def font_file() -> str | None:
    """Return the first DejaVu Sans Bold file that Pillow can open, if any."""
    for candidate in FONT_CANDIDATES:
        try:
            ImageFont.truetype(candidate, 10)
        except OSError:
            continue
        return candidate
    sys.stderr.write("DejaVu Sans Bold not found; using Pillow's default font\n")
    return None


def load_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Return DejaVu Sans Bold at ``size`` px, or Pillow's built-in font."""
    path = font_file()
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


def make_logo(height: int, variant: Variant) -> Image.Image:
    """Return the landscape logo, ``height`` pixels tall: glyph, then the word."""
    big = height * SUPERSAMPLE
    glyph = draw_glyph(big)

    # Size the word so that its ink (from the top of "M" to the foot of "g")
    # is just under half the glyph's height, and centre that ink beside the glyph.
    probe = load_font(1000)
    ink = probe.getbbox(WORD)
    font = load_font(round(1000 * 0.48 * big / (ink[3] - ink[1])))
    ink = font.getbbox(WORD)
    gap = round(0.17 * big)
    text_width = round(ink[2] - ink[0])
    width = glyph.width + gap + text_width
    width += -width % SUPERSAMPLE  # a whole number of final pixels
    canvas = Image.new("RGBA", (width, big), (0, 0, 0, 0))
    canvas.alpha_composite(glyph)
    text_x = glyph.width + gap - ink[0]
    text_y = (big - (ink[3] - ink[1])) / 2 - ink[1]
    ImageDraw.Draw(canvas).text((text_x, text_y), WORD, font=font, fill=variant.text)

    logo = downsample(canvas)
    return logo.crop(logo.getbbox(alpha_only=True))


def save(image: Image.Image, name: str) -> None:
    """Write ``image`` as an optimised PNG into the brand folder."""
    path = BRAND_DIR / name
    image.save(path, optimize=True)
    size = path.stat().st_size
    sys.stdout.write(f"{path.name}: {image.width}x{image.height}, {size} bytes\n")


def main() -> None:
    """Draw and write every brand image."""
    BRAND_DIR.mkdir(parents=True, exist_ok=True)
    save(make_icon(256), "icon.png")
    save(make_icon(512), "icon@2x.png")
    for variant in VARIANTS:
        save(make_logo(128, variant), f"{variant.prefix}logo.png")
        save(make_logo(256, variant), f"{variant.prefix}logo@2x.png")


if __name__ == "__main__":
    main()
