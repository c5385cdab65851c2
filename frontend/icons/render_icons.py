"""Renders the app icons (192, 512, a maskable 512, and the notification badge) from icon.svg with
headless Chromium.

Run once after changing icon.svg, then commit the PNGs:
`.venv/bin/python frontend/icons/render_icons.py`.
"""

from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]

# A maskable icon is cropped to a circle of 80 % of its width by some launchers: full-bleed
# background, glyph scaled into the safe zone.
MASKABLE = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <rect width="512" height="512" fill="#1d5c57"/>
  <g transform="translate(76.8 76.8) scale(0.7)">{inner}</g>
</svg>"""

# A notification badge is drawn by the platform from its alpha channel alone (Android's status
# bar): the glyph, white on nothing, thicker so it reads at 24 px.
BADGE = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <path d="M40 276h110l40-110 66 232 62-190 34 68h120" fill="none" stroke="#ffffff"
        stroke-width="56" stroke-linecap="round" stroke-linejoin="round"/>
</svg>"""


def main() -> None:
    svg = (HERE / "icon.svg").read_text()
    inner = svg.split(">", 1)[1].rsplit("</svg>", 1)[0].replace('rx="112" ', "")
    jobs = [
        ("icon-192.png", 192, svg),
        ("icon-512.png", 512, svg),
        ("icon-maskable-512.png", 512, MASKABLE.format(inner=inner)),
        ("badge-96.png", 96, BADGE),
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, size, source in jobs:
            page = browser.new_page(viewport={"width": size, "height": size})
            sized = source.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
            page.set_content(f'<body style="margin:0;background:transparent">{sized}</body>')
            page.screenshot(path=str(HERE / name), omit_background=True)
            page.close()
            print(f"wrote {name}")
        browser.close()


if __name__ == "__main__":
    main()
