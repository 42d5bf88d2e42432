"""Times OpenSlide reading the given native tiles (read_region at level 0): the peer for the JPEG 2000 decode benchmark.

usage: /usr/bin/python3 bench/openslide_decode.py SLIDE TILE_SIZE "x,y x,y ..." ROUNDS
prints JSON: {"tiles": n, "seconds": s}
"""
import json
import sys
import time

import openslide

slide_path, tile_size, coords, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
tiles = [tuple(int(v) for v in c.split(',')) for c in coords.split()]
slide = openslide.OpenSlide(slide_path)
# Warm-up round: file cache and OpenSlide's first-use costs, as the browser side gets one too.
for x, y in tiles:
    slide.read_region((x * tile_size, y * tile_size), 0, (tile_size, tile_size))
start = time.perf_counter()
for _ in range(rounds):
    # A fresh handle per round so OpenSlide's own tile cache cannot answer from memory.
    slide = openslide.OpenSlide(slide_path)
    for x, y in tiles:
        slide.read_region((x * tile_size, y * tile_size), 0, (tile_size, tile_size))
print(json.dumps({"tiles": len(tiles) * rounds, "seconds": time.perf_counter() - start}))
