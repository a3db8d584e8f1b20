from mineralflow import build_brief


def test_bundled_brief_june_2025_names_the_world_total(bundled):
    text = build_brief(bundled, product="rare-earth-magnets", period="2025-06").to_markdown()
    assert "**3,188 t**" in text
