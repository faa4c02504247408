"""Draw one plate (flat, front-on) in the look of its country: colours, EU band, font, layout, wear."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from PIL import Image, ImageDraw

from anpr.ocr.render import fonts
from anpr.ocr.render.formats import (
    COUNTRY_WEIGHTS,
    Layout,
    band_of,
    layout_for,
    listed_layout,
    random_country,
    random_format_plate,
    random_plate,
)
from anpr.reads.plates import normalise

EU_BLUE = (0, 51, 153)
EU_YELLOW = (255, 204, 0)


@dataclass(frozen=True)
class PlateStyle:
    size: tuple[int, int]  # plate pixels at drawing scale (1 px ≈ 1 mm for EU plates)
    bg: tuple[int, int, int]
    fg: tuple[int, int, int]
    border: tuple[int, int, int] | None
    band: str | None  # EU band country code, None for no band
    right_band: str | None = None  # "fr" region band, "temp" red date band
    top_text: bool = False  # state / city name above the characters (US, BR)
    bottom_text: bool = False  # slogan below (US)


def _jitter(c: tuple[int, int, int], rng: random.Random, amount: int = 18) -> tuple[int, int, int]:
    return tuple(max(0, min(255, v + rng.randint(-amount, amount))) for v in c)  # type: ignore[return-value]


def style_for(variant: str, rng: random.Random, two_line: bool) -> PlateStyle:
    white = _jitter((238, 238, 232), rng, 14)
    yellow = _jitter((245, 195, 20), rng, 18)
    black = _jitter((20, 20, 22), rng, 12)
    size = (280, 200) if two_line else (520, 110)
    if variant.startswith("be_"):
        fg = {"be_trade": (20, 110, 50)}.get(variant, (150, 15, 40))
        right = "temp" if variant == "be_temp" else None
        return PlateStyle(size, white, _jitter(fg, rng, 15), _jitter(fg, rng, 10), "B", right)
    if variant == "nl":
        return PlateStyle(size, yellow, black, black, "NL")
    if variant == "fr":
        return PlateStyle(size, white, black, black, "F", "fr")
    if variant == "de":
        return PlateStyle(size, white, black, black, "D")
    if variant == "lu":
        return PlateStyle(size, yellow, black, black, "L")
    if variant == "uk_front":
        return PlateStyle(size, white, black, None, rng.choice(["UK", "GB", None]))
    if variant == "uk_rear":
        return PlateStyle(size, yellow, black, None, rng.choice(["UK", "GB", None]))
    if variant == "es":
        return PlateStyle(size, white, black, black, "E")
    if variant == "br":
        grey = _jitter((190, 192, 192), rng, 20)
        return PlateStyle((400, 130), grey, black, black, None, top_text=True)
    if variant == "us":
        fg = rng.choice([(20, 30, 110), (20, 20, 22), (140, 20, 30), (20, 80, 40)])
        bg = rng.choice([white, white, _jitter((230, 225, 180), rng), _jitter((200, 220, 235), rng)])
        return PlateStyle(
            (300, 150), bg, _jitter(fg, rng), rng.choice([None, fg]), None, None, True, rng.random() < 0.7
        )
    # generic EU plate, sometimes without band or on yellow
    bg = yellow if rng.random() < 0.15 else white
    if variant == "emblem":
        band = rng.choice(["HR", "SRB", "SLO", "BIH", "MK", None])
    else:
        band = rng.choice(["E", "I", "PL", "CZ", "A", "P", "S", "DK", "SK", "H", "RO", "LT", None])
    return PlateStyle(size, bg, black, black, band)


_WORDS = (
    "TEXAS",
    "OHIO",
    "FLORIDA",
    "CALIFORNIA",
    "NEW YORK",
    "SAO PAULO",
    "CURITIBA",
    "RIO",
    "ILLINOIS",
    "VIRGINIA",
    "GEORGIA",
    "ARIZONA",
    "PR",
    "SP",
    "MG",
    "OREGON",
    "MICHIGAN",
    "DELAWARE",
)
_SLOGANS = (
    "THE LONE STAR STATE",
    "SUNSHINE STATE",
    "LAND OF LINCOLN",
    "EMPIRE STATE",
    "GRAND CANYON",
    "DRIVE SAFELY",
    "VACATIONLAND",
    "PEACH STATE",
    "GREAT LAKES",
)


def _text_mask(text: str, font) -> Image.Image:
    if hasattr(font, "mask"):  # a drawn typeface (``strokes.StrokeFont``)
        return font.mask(text)
    box = font.getbbox(text)
    w, h = max(1, box[2] - box[0]), max(1, box[3] - box[1])
    m = Image.new("L", (w, h), 0)
    ImageDraw.Draw(m).text((-box[0], -box[1]), text, fill=255, font=font)
    return m


def _line_mask(groups: tuple[str, ...], sep: str, font, rng: random.Random) -> tuple[Image.Image, list[int]]:
    """Mask of one line of groups; returns the x centres of sticker / emblem gaps (sep '@' / '*')."""
    parts = [_text_mask(g, font) for g in groups]
    cap = max(p.height for p in parts)
    char_w = max(1, int(cap * 0.55))
    if sep == "-":
        dash = Image.new("L", (int(char_w * 0.9), cap), 0)
        dh = max(2, cap // 9)
        ImageDraw.Draw(dash).rectangle(
            (int(char_w * 0.15), cap // 2 - dh // 2, int(char_w * 0.75), cap // 2 + dh // 2), fill=255
        )
        seps = [dash] * (len(parts) - 1)
    elif sep == "@":
        seps = [Image.new("L", (int(char_w * 1.1), cap), 0)] + [
            Image.new("L", (int(char_w * 0.5), cap), 0)
        ] * (len(parts) - 2)
    elif sep == "*":
        dash = Image.new("L", (int(char_w * 0.8), cap), 0)
        dh = max(2, cap // 9)
        ImageDraw.Draw(dash).rectangle(
            (int(char_w * 0.12), cap // 2 - dh // 2, int(char_w * 0.68), cap // 2 + dh // 2), fill=255
        )
        seps = [Image.new("L", (int(char_w * 1.3), cap), 0)] + [dash] * (len(parts) - 2)
    elif sep == " ":
        seps = [Image.new("L", (int(char_w * rng.uniform(0.35, 0.7)), cap), 0)] * (len(parts) - 1)
    else:
        seps = [Image.new("L", (max(1, char_w // 6), cap), 0)] * (len(parts) - 1)
    width = sum(p.width for p in parts) + sum(s.width for s in seps)
    out = Image.new("L", (width, cap), 0)
    x = 0
    gaps: list[int] = []
    for i, p in enumerate(parts):
        out.paste(p, (x, cap - p.height))
        x += p.width
        if i < len(seps):
            out.paste(seps[i], (x, 0))
            gaps.append(x + seps[i].width // 2)
            x += seps[i].width
    return out, (gaps[:1] if sep in "@*" and sep else [])


def draw_plate(layout: Layout, variant: str, rng: random.Random, band: str | None = None) -> Image.Image:
    """The plate as an RGB image at drawing scale (about 1 px per mm), flat and clean-ish.
    ``band``: the EU band's letters instead of the variant's ("" for no band)."""
    two_line = len(layout.lines) > 1
    st = style_for(variant, rng, two_line)
    if band is not None:
        st = replace(st, band=band or None)
    w, h = st.size
    img = Image.new("RGB", (w, h), st.bg)
    d = ImageDraw.Draw(img)
    x0, x1, y0, y1 = 8, w - 8, 6, h - 6
    if st.border:
        bw = rng.randint(2, 5)
        d.rounded_rectangle((2, 2, w - 3, h - 3), radius=rng.randint(3, 12), outline=st.border, width=bw)
        x0, x1, y0, y1 = x0 + bw, x1 - bw, y0 + bw, y1 - bw
    if st.band:
        bw = int(h * 0.4) if not two_line else 40
        d.rectangle((3, 3, 3 + bw, h - 4), fill=_jitter(EU_BLUE, rng, 10))
        cx, cy, r = 3 + bw // 2, int(h * 0.3) if not two_line else 45, bw * 0.28
        for k in range(12):
            import math

            a = 2 * math.pi * k / 12
            sx, sy = cx + r * math.cos(a), cy + r * math.sin(a)
            d.ellipse((sx - 2, sy - 2, sx + 2, sy + 2), fill=EU_YELLOW)
        bf = fonts.text_font(1, max(10, int(bw * (0.55 if len(st.band) < 2 else 0.42))))
        tb = d.textbbox((0, 0), st.band, font=bf)
        d.text(
            (cx - (tb[2] - tb[0]) / 2 - tb[0], h - 8 - (tb[3] - tb[1]) - tb[1] - (4 if two_line else 0)),
            st.band,
            fill=(255, 255, 255),
            font=bf,
        )
        x0 = 3 + bw + 6
    if st.right_band == "fr":
        bw = int(h * 0.4)
        d.rectangle((w - 4 - bw, 3, w - 4, h - 4), fill=_jitter(EU_BLUE, rng, 10))
        nf = fonts.text_font(1, int(bw * 0.5))
        d.text((w - bw, h * 0.55), f"{rng.randint(1, 95):02d}", fill=(255, 255, 255), font=nf)
        x1 = w - 4 - bw - 6
    elif st.right_band == "temp":
        bw = int(h * 0.45)
        d.rectangle((w - 4 - bw, 3, w - 4, h - 4), fill=(170, 20, 30))
        nf = fonts.text_font(0, int(bw * 0.3))
        d.text((w - bw, h * 0.2), f"{rng.randint(1, 28):02d}", fill=(255, 255, 255), font=nf)
        d.text((w - bw, h * 0.55), f"{rng.randint(1, 12):02d}", fill=(255, 255, 255), font=nf)
        x1 = w - 4 - bw - 6
    if st.top_text:
        tf = fonts.text_font(rng.randint(0, 3), int(h * rng.uniform(0.12, 0.2)))
        word = rng.choice(_WORDS)
        tb = d.textbbox((0, 0), word, font=tf)
        d.text(((w - (tb[2] - tb[0])) / 2, y0 - tb[1]), word, fill=st.fg, font=tf)
        y0 += int((tb[3] - tb[1]) * 1.25)
    if st.bottom_text:
        tf = fonts.text_font(rng.randint(0, 3), int(h * rng.uniform(0.07, 0.11)))
        word = rng.choice(_SLOGANS)
        tb = d.textbbox((0, 0), word, font=tf)
        d.text(((w - (tb[2] - tb[0])) / 2, y1 - (tb[3] - tb[1]) - tb[1]), word, fill=st.fg, font=tf)
        y1 -= int((tb[3] - tb[1]) * 1.3)

    plate_font = fonts.pick_plate_font(rng)
    n_lines = len(layout.lines)
    line_h = (y1 - y0) / n_lines
    fill_h = rng.uniform(0.68, 0.82)
    for li, groups in enumerate(layout.lines):
        mask, gaps = _line_mask(groups, layout.sep, plate_font, rng)
        target_h = max(4, int(line_h * fill_h))
        scale_w = rng.uniform(0.85, 1.1)
        tw = int(mask.width * target_h / mask.height * scale_w)
        avail = x1 - x0 - 4
        tw = min(tw, avail)
        orig_w = mask.width
        mask = mask.resize((max(1, tw), target_h), Image.BILINEAR)
        px = int(x0 + (avail - tw) / 2 + 2)
        py = int(y0 + li * line_h + (line_h - target_h) / 2)
        img.paste(st.fg, (px, py, px + tw, py + target_h), mask)
        for g in gaps if layout.sep == "*" else ():  # coat of arms between city and number
            _emblem(d, px + int(g * tw / max(1, orig_w)), py, target_h, rng)
        for g in gaps if layout.sep == "@" else ():  # registration stickers between city code and series
            gx = px + int(g * tw / max(1, orig_w))
            r = max(4, target_h // 7)
            cy = py + target_h // 3
            d.ellipse(
                (gx - r, cy - r, gx + r, cy + r),
                fill=rng.choice([(40, 90, 160), (200, 60, 40), (230, 180, 40)]),
            )
            d.ellipse((gx - r, cy + r + 2, gx + r, cy + 3 * r + 2), fill=(180, 180, 175))
    return img


def _emblem(d: ImageDraw.ImageDraw, cx: int, top: int, cap: int, rng: random.Random) -> None:
    """A small shield (coat of arms) the height of the characters: the reader must skip it."""
    h = int(cap * rng.uniform(0.6, 0.9))
    w = max(3, int(h * rng.uniform(0.6, 0.8)))
    y0 = top + (cap - h) // 2
    x0 = cx - w // 2
    outline = [(x0, y0), (x0 + w, y0), (x0 + w, y0 + h * 0.6), (cx, y0 + h), (x0, y0 + h * 0.6)]
    base, other = rng.choice(
        [((200, 30, 40), (245, 245, 245)), ((30, 60, 150), (230, 200, 40)), ((200, 30, 40), (230, 200, 40))]
    )
    d.polygon(outline, fill=base, outline=(60, 60, 60))
    n = rng.choice([0, 3, 4, 5])  # checkered (HR-like) or a plain charge in the middle
    if n:
        step = w / n
        for i in range(n):
            for j in range(int(h * 0.6 / step)):
                if (i + j) % 2:
                    d.rectangle(
                        (x0 + i * step, y0 + j * step, x0 + (i + 1) * step, y0 + (j + 1) * step), fill=other
                    )
    else:
        d.ellipse((cx - w // 4, y0 + h // 5, cx + w // 4, y0 + h // 5 + w // 2), fill=other)


def make_plate(
    text: str | None, country: str | None, rng: random.Random, variant: str | None = None
) -> tuple[Image.Image, str, str, str]:
    """Draw a plate; random text/country when not given. Returns (image, text, country, variant)."""
    c = (country or random_country(rng)).upper()
    if c not in COUNTRY_WEIGHTS:  # another formats.json country: its format's layout and band
        if text is None:
            text, lay, _ = random_format_plate(rng, None, c)
        else:
            lay = listed_layout(normalise(text), c) or layout_for(text, "OTHER", None, rng)
        v = variant or ("emblem" if lay.sep == "*" else "generic")
        return draw_plate(lay, v, rng, band=band_of(c)), lay.text, c, v
    if text is None:
        text, variant = random_plate(c, rng)
    lay = layout_for(text, c, variant, rng)
    v = variant or ("be_moto" if len(lay.lines) > 1 else None)
    from anpr.ocr.render.formats import default_variant

    v = v or default_variant(lay.text, c)
    if c == "OTHER" and v == "generic" and rng.random() < 0.1 and len(lay.text) >= 5:
        lay = layout_for(lay.text, c, "two_line", rng)
    return draw_plate(lay, v, rng), lay.text, c, v
