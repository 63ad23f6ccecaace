#!/usr/bin/env python3
"""`scripts/web-browser.sh --update-docs`: the browser suite's screenshots (ARTIFACTS/screenshots.json names each page,
its title, path and guide) become docs/screenshots/NAME-phone.png and NAME-desktop.png, quantised by pngquant to keep
the repository small, and each guide's list between its screenshot markers is written again. Driven by the names the
suite recorded: a new page's screenshots appear with no change here; a page no longer checked loses its files.

    update_docs.py ARTIFACTS DOCS
"""
import json
import os
import shutil
import subprocess
import sys

GUIDES = {"residents": "guide-residents.md", "managers": "guide-managers.md"}
BEGIN = "<!-- screenshots: written by scripts/web-browser.sh --update-docs -->"
END = "<!-- /screenshots -->"
SIZES = (("phone", "phone"), ("desktop", "computer"))


def main(artifacts, docs):
    if not shutil.which("pngquant"):
        sys.exit("update_docs: pngquant is missing: run scripts/setup.sh")
    with open(os.path.join(artifacts, "screenshots.json"), encoding="utf-8") as manifest:
        pages = json.load(manifest)
    folder = os.path.join(docs, "screenshots")
    os.makedirs(folder, exist_ok=True)
    wanted = set()
    for name in pages:
        for size, _ in SIZES:
            file = f"{name}-{size}.png"
            wanted.add(file)
            quantised = subprocess.run(["pngquant", "--force", "--strip", "--skip-if-larger", "--quality", "65-90", "--output",
                                        os.path.join(folder, file), os.path.join(artifacts, file)], check=False)
            if quantised.returncode != 0:  # 98, 99: not smaller, or not at that quality: the original then
                shutil.copyfile(os.path.join(artifacts, file), os.path.join(folder, file))
    for file in os.listdir(folder):
        if file.endswith(".png") and file not in wanted:
            os.remove(os.path.join(folder, file))
    for audience, guide in GUIDES.items():
        rows = [f"| {page['title']} (`{page['path']}`{', ' + name if name != page['path'].strip('/').split('/')[0] else ''}) | "
                + " | ".join(f"[{label}](screenshots/{name}-{size}.png)" for size, label in SIZES) + " |"
                for name, page in pages.items() if page["audience"] in (audience, "both")]
        path = os.path.join(docs, guide)
        with open(path, encoding="utf-8") as text:
            content = text.read()
        if BEGIN not in content or END not in content:
            sys.exit(f"update_docs: {path} has no {BEGIN} … {END} markers")
        before, rest = content.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        table = "\n".join(["| Page | Phone | Computer |", "|---|---|---|"] + rows)
        with open(path, "w", encoding="utf-8") as text:
            text.write(f"{before}{BEGIN}\n{table}\n{END}{after}")
    total = sum(os.path.getsize(os.path.join(folder, file)) for file in wanted)
    print(f"update_docs: {len(wanted)} screenshots in {folder} ({total // 1024} KiB); guides' lists written")


if __name__ == "__main__":
    main(*sys.argv[1:3])
