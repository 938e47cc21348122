"""The public data sets, read one way, and the one split policy.

One reader module per set, each returning typed records (`salesbrain.schema.Turn` for
dialogue text):

- `jddc2019`, `stc3`, `crosswoz`, `ecd`: the dialogue sets every purpose reads;
- `jddc2018`, `fosaed`, `jddc21rec`: further real service dialogues, read but not yet used;
- `reviews` (online_shopping_10_cats, waimai_10k) and `eprstmt`: sentiment reviews;
- `sources`: the dialogue sets by name, cached (`load_conversations`);
- `annotations`: hand annotations in `data/annotations/` resolved against the sets;
- `dialogues`: dialogues as merged turns and (context, reply) pairs for reply suggestion;
- `splits`: which conversations each purpose trains, validates and tests on (the table).

Files are read from the data directory (`salesbrain.paths.shared_data_dir()`), never copied.
"""
