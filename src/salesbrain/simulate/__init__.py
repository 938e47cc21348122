"""A simulated brand: guides chatting with customers on WeCom, with the ground truth behind it.

`simulate_brand(out_dir, guides=40, customers=2000, days=30, seed=0, start=2026-10-01 00:00
Asia/Shanghai)` writes, per the `salesbrain simulate` contract:

- `archive.jsonl`: one decrypted WeCom archive record per line, in msgtime order (epoch ms;
  `seconds_fraction` of them in epoch seconds, default none): text, image, emotion, voice, link,
  weapp, mixed, revoke (action recall), redpacket / external_redpacket, agree / disagree, and a
  few group chats (roomid set).
- `guides.csv` (guide_id, name, store_id, region), `orders.csv` (order_id, customer_id, ts,
  amount, channel), `tasks.csv` (task_id, guide_id, customer_id, kind, assigned_ts, due_ts);
  timestamps are ISO-8601 with +08:00; `members.csv` (customer_id, birthday as YYYY-MM-DD):
  the birthday segment's birthdays fall inside the period, most other customers' on any day.
- `truth.json`, one entry per line: `guides` (latent skills and talent), `messages` (msgid ->
  intent for every customer message carrying text: text and mixed), `conversations`
  (guide_id, customer_id, first_msgid, last_msgid, outcome, intents, kind, task_id, roomid;
  group chats have customer_id null and customer_ids), `tasks` (task_id -> executed), `orders`
  (order_id -> first_msgid of the attributed conversation or null), and beyond the contract
  `customers` (segment, consent, guide_id), `violations` (msgid -> kind of a guide's compliance
  violation), `groups` and `meta`.

Same arguments, same bytes: all randomness comes from named streams seeded by `seed`.
Messages stream to disk in time order, so memory follows the number of conversations, not
messages: `guides=500, customers=60000, days=30` writes 1,041,420 messages (seed 0).
"""

from salesbrain.simulate.simulation import DEFAULT_START, SimulationSummary, simulate_brand

__all__ = ["DEFAULT_START", "SimulationSummary", "simulate_brand"]
