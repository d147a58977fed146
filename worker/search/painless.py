"""The index's Painless scripts (worker/search/sink.py sends them): the ordering rule of every
write and the bookkeeping of replaced children, kept apart from the bulk machinery that
carries them so each can be read whole.

`ORDERED_WRITE` keeps the newer event (`params.order`, null for unordered writes) and notes
in `children_replaced` the children the stored version listed (with any still noted) that
the incoming document does not; a tombstone drops the note, the delete path removes the
children itself. `FORGET_REPLACED` removes the ids the worker has removed from the note.
"""

# Painless: keep the newer event. `params.order` is null for unordered writes.
ORDERED_WRITE = """
String incoming = params.order;
def stored = ctx._source.event_order;
if (incoming != null && stored != null && ((String) stored).compareTo(incoming) > 0) {
  ctx.op = 'none';
  return;
}
def keep = params.doc.children;
def gone = new ArrayList();
for (def ids : [ctx._source.children, ctx._source.children_replaced,
                 params.doc.children_replaced]) {
  if (ids == null) { continue; }
  for (def id : ids) {
    if ((keep == null || !keep.contains(id)) && !gone.contains(id)) { gone.add(id); }
  }
}
ctx._source.clear();
ctx._source.putAll(params.doc);
if (incoming == null && stored != null) { ctx._source.event_order = stored; }
if (params.doc.deleted != true && !gone.isEmpty()) {
  ctx._source.children_replaced = gone;
} else {
  ctx._source.remove('children_replaced');
}
"""

# Painless: forget replaced children the worker has removed (a newer write may add others).
FORGET_REPLACED = """
def noted = ctx._source.children_replaced;
if (noted == null) { ctx.op = 'none'; return; }
noted.removeAll(params.removed);
if (noted.isEmpty()) { ctx._source.remove('children_replaced'); }
"""
