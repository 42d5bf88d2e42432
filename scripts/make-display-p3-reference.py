#!/usr/bin/python3
"""Display P3 references for the ICC fixtures: each stored-pixel reference tile of the shared fixtures
(reference/icc/<file>/L<l>_<x>_<y>.png) converted from the slide's embedded profile to the Display P3 profile the
viewer converts to (the one in src/colour/output-space.ts) by LittleCMS (Pillow ImageCms), relative colorimetric
(these profiles are matrix-shapers: every intent gives the same pixels), no black-point compensation, 8 bits per
sample, saved without an iCCP chunk: the shared make_icc_reference.py's sRGB references with another target.

usage: /usr/bin/python3 scripts/make-display-p3-reference.py [FIXTURES]   (Debian python3-pil, python3-tifffile)
FIXTURES defaults to ../shared/fixtures beside the clone. Writes test/references/display-p3/<file>.json and
test/references/display-p3/<file>/L<l>_<x>_<y>.p3.png.
"""
import base64, hashlib, io, json, os, re, sys
import tifffile
from PIL import Image, ImageCms

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, '..', 'shared', 'fixtures')
OUT = os.path.join(REPO, 'test', 'references', 'display-p3')

source = open(os.path.join(REPO, 'src', 'colour', 'output-space.ts')).read()
p3_bytes = base64.b64decode(re.search(r"DISPLAY_P3_BASE64 =\s*'([^']+)'", source).group(1))
p3 = ImageCms.ImageCmsProfile(io.BytesIO(p3_bytes))

for name in sorted(f[:-len('.icc.json')] for f in os.listdir(os.path.join(FIXTURES, 'reference', 'icc')) if f.endswith('.icc.json')):
    ref = json.load(open(os.path.join(FIXTURES, 'reference', 'icc', name + '.icc.json')))
    slide = os.path.join(FIXTURES, 'generated', name)
    with tifffile.TiffFile(slide) as t:
        embedded = t.pages[0].tags[34675].value
    transform = ImageCms.buildTransform(ImageCms.ImageCmsProfile(io.BytesIO(embedded)), p3, 'RGB', 'RGB',
                                        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    os.makedirs(os.path.join(OUT, name), exist_ok=True)
    tiles = []
    for t in ref['reference_tiles']:
        stored = Image.open(os.path.join(FIXTURES, 'reference', 'icc', t['png'])).convert('RGB')
        png = t['png'].replace('.png', '.p3.png')
        ImageCms.applyTransform(stored, transform).save(os.path.join(OUT, png))
        tiles.append(dict(level=t['level'], x=t['x'], y=t['y'], width=t['width'], height=t['height'], png=t['png'], p3_png=png))
    json.dump(dict(file=name, icc_profile=ref['icc_profile']['description'],
                   target=dict(description=ImageCms.getProfileDescription(p3).strip(), size=len(p3_bytes),
                               sha256=hashlib.sha256(p3_bytes).hexdigest()),
                   conversion=dict(intent='relative colorimetric (1)', black_point_compensation=False,
                                   engine=f'Pillow {Image.__version__} ImageCms, LittleCMS {ImageCms.core.littlecms_version}'),
                   reference_tiles=tiles), open(os.path.join(OUT, name + '.json'), 'w'), indent=1)
    print(name, len(tiles), 'tiles')
