"""What the intent classifier reads and the network that reads it.

A customer message becomes "query: " + the last few turns marked by speaker + the message,
as token ids cut from the left to `max_length`: the oldest context goes first and the message
itself is kept whole (only a message longer than the whole budget loses its start). The
network is a BERT backbone with a linear head over two mean-pooled vectors: the whole input
and the message alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from salesbrain.encoder import PREFIXES, mean_pool
from salesbrain.schema import Conversation, Role, Turn

DEFAULT_CONTEXT_TURNS = 3
# Turns before a customer message that a brain hands the stage with it (the settings decide
# how many of them the classifier reads).
BRAIN_CONTEXT_TURNS = 4
ROLE_MARKERS = {Role.CUSTOMER: "顾客", Role.GUIDE: "导购", Role.SYSTEM: "系统"}

# A tokenised input: ids (or cached states) per position and how many end positions are the
# current message (its tokens and the closing separator).
Row = tuple[torch.Tensor, int]


@dataclass(frozen=True, slots=True)
class IntentInput:
    """A customer message and the turns before it, oldest first."""

    text: str
    context: tuple[Turn, ...] = ()


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def render_turns(item: IntentInput, context_turns: int) -> list[str]:
    """The last `context_turns` turns then the message, each prefixed by its speaker."""
    recent = item.context[-context_turns:] if context_turns > 0 else ()
    lines = [f"{ROLE_MARKERS[turn.role]}: {_clean(turn.text)}" for turn in recent]
    return [*lines, f"{ROLE_MARKERS[Role.CUSTOMER]}: {_clean(item.text)}"]


def render_intent_input(item: IntentInput, context_turns: int = DEFAULT_CONTEXT_TURNS) -> str:
    """The text the classifier reads, e.g. "query: 顾客: 在吗 导购: 您好 顾客: 发票怎么开"."""
    return PREFIXES["query"] + " ".join(render_turns(item, context_turns))


def intent_token_rows(
    tokenizer: Any, items: Sequence[IntentInput], context_turns: int, max_length: int
) -> list[Row]:
    """Token ids per item, the oldest context dropped first; the message is always kept.

    Every turn of every item goes through the fast tokenizer in one batch call, which costs a
    fraction of per-item calls on large batches.
    """
    rendered = [render_turns(item, context_turns) for item in items]
    flat = [PREFIXES["query"] + turn if i == 0 else turn
            for turns in rendered for i, turn in enumerate(turns)]
    encoded = tokenizer.backend_tokenizer.encode_batch(flat, add_special_tokens=False)
    budget, rows, start = max_length - 2, [], 0
    for turns in rendered:
        pieces = [encoding.ids for encoding in encoded[start : start + len(turns)]]
        start += len(turns)
        message = pieces[-1][:budget]
        history = [i for piece in pieces[:-1] for i in piece]
        room = budget - len(message)
        context = history[max(0, len(history) - room) :] if room > 0 else []
        ids = [tokenizer.cls_token_id, *context, *message, tokenizer.sep_token_id]
        rows.append((torch.tensor(ids, dtype=torch.long), len(message) + 1))
    return rows


def pad_rows(rows: Sequence[Row], value: float, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows padded to the longest; the mask marks padding 0, context 1 and the message 2."""
    longest = max(len(row) for row, _ in rows)
    first = rows[0][0]
    out = torch.full((len(rows), longest, *first.shape[1:]), value, dtype=first.dtype)
    mask = torch.zeros(len(rows), longest, dtype=torch.long)
    for i, (row, message) in enumerate(rows):
        out[i, : len(row)] = row
        mask[i, : len(row) - message] = 1
        mask[i, len(row) - message : len(row)] = 2
    return out.to(device), mask.to(device)


class IntentNetwork(nn.Module):
    """A BERT backbone and a linear head; can run from cached lower-layer states.

    The head reads the mean over the whole input beside the mean over the message alone, so
    context informs the label without drowning the message in long guide replies.
    """

    def __init__(self, backbone: Any, n_labels: int, dropout: float) -> None:
        super().__init__()
        self.backbone = backbone
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * backbone.config.hidden_size, n_labels)

    def lower_states(self, ids: torch.Tensor, mask: torch.Tensor, layers: int) -> torch.Tensor:
        hidden = self.backbone.embeddings(input_ids=ids)
        return self.upper_states(hidden, mask, 0, layers)

    def upper_states(
        self, hidden: torch.Tensor, mask: torch.Tensor, start: int, stop: int | None = None
    ) -> torch.Tensor:
        from transformers.masking_utils import create_bidirectional_mask

        layer_mask = create_bidirectional_mask(
            config=self.backbone.config, inputs_embeds=hidden, attention_mask=(mask > 0).long()
        )
        for layer in self.backbone.encoder.layer[start:stop]:
            hidden = layer(hidden, layer_mask)
        return hidden

    def classify(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        pooled = torch.cat([mean_pool(states, mask > 0), mean_pool(states, mask == 2)], dim=-1)
        return self.head(self.dropout(pooled))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # A batch without padding needs no attention mask, which takes the faster path.
        attention = None if bool((mask > 0).all()) else (mask > 0).long()
        states = self.backbone(input_ids=ids, attention_mask=attention).last_hidden_state
        return self.classify(states, mask)


def customer_inputs(conversation: Conversation) -> list[tuple[str, IntentInput]]:
    """(msgid, input) for each customer text not recalled, with the turns before it."""
    history: list[Turn] = []
    found = []
    for message in conversation.messages:
        if not message.text or message.recalled:
            continue
        if message.role is Role.CUSTOMER:
            context = tuple(history[-BRAIN_CONTEXT_TURNS:])
            found.append((message.msgid, IntentInput(message.text, context)))
        history.append(Turn(message.role, message.text))
    return found


def last_customer_input(turns: Sequence[Turn]) -> IntentInput | None:
    """The last customer turn with the turns before it; None when the customer said nothing."""
    asked = [i for i, turn in enumerate(turns) if turn.role is Role.CUSTOMER and turn.text]
    if not asked:
        return None
    last = asked[-1]
    return IntentInput(turns[last].text, tuple(turns[max(0, last - BRAIN_CONTEXT_TURNS) : last]))
