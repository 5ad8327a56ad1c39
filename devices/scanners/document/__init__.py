"""The document photo pipeline's implementation; its public API is `devices.scanners.document_photo`.

Kept free of imports so that `devices.scanners.document.cli` loads without OpenCV (the `motcua` command
imports every command's module at start-up).

    model     types, limits, reason codes and their messages
    imaging   bytes and arrays in (decode, check), shrinking, histogram percentiles
    detect    find_page: outline candidates on a small copy, refined on the full photo
    geometry  the sheet's true aspect ratio and the one warp that straightens it
    light     even_light: divide by the paper's own brightness
    quality   assess / judge_page: no page, cut, too small, too dark, blurred, glare
    pipeline  process_photo: all of it for one photo
    pdf       pages_to_pdf
    cli       `motcua document`
"""
