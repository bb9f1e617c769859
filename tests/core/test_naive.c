/* test_naive.c — the naive replication baseline (core/naive.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "../../core/msg.h"
#include "../../core/proto.h"

enum { FAKE_MAX = 64, FAKE_BYTES = 256 };

/* A host that records every callback. */
typedef struct fake_host {
    uint64_t now_ns;
    int n_sent;
    raft_id sent_to[FAKE_MAX];
    uint8_t sent[FAKE_MAX][FAKE_BYTES];
    size_t sent_len[FAKE_MAX];
    int n_persist;
    uint64_t last_token;
    int n_applied;
    uint64_t applied_index[FAKE_MAX];
    char applied_data[FAKE_MAX][16];
    int n_events;
    raft_event events[FAKE_MAX];
    int n_reads;
    uint64_t read_index;
} fake_host;

static uint64_t fake_now(void *ctx) { return ((fake_host *)ctx)->now_ns; }

static void fake_send(void *ctx, raft_id to, const uint8_t *buf, size_t len)
{
    fake_host *h = ctx;
    cr_assert(h->n_sent < FAKE_MAX && len <= FAKE_BYTES);
    h->sent_to[h->n_sent] = to;
    memcpy(h->sent[h->n_sent], buf, len);
    h->sent_len[h->n_sent++] = len;
}

static void fake_persist(void *ctx, const raft_write *w)
{
    fake_host *h = ctx;
    h->n_persist++;
    h->last_token = w->token;
}

static void fake_apply(void *ctx, uint64_t index, const raft_entry *e)
{
    fake_host *h = ctx;
    cr_assert(h->n_applied < FAKE_MAX && e->len < 16);
    h->applied_index[h->n_applied] = index;
    memcpy(h->applied_data[h->n_applied], e->data, e->len);
    h->applied_data[h->n_applied++][e->len] = '\0';
}

static void fake_event(void *ctx, const raft_event *ev)
{
    fake_host *h = ctx;
    if (h->n_events < FAKE_MAX)
        h->events[h->n_events++] = *ev;
}

static void fake_read_ready(void *ctx, uint64_t req_id, int status, uint64_t index)
{
    fake_host *h = ctx;
    (void)req_id;
    cr_assert_eq(status, RAFT_OK);
    h->n_reads++;
    h->read_index = index;
}

/* Create node `id` of `n` hosted by `h`, and run its first tick. */
static void *start_node(fake_host *h, raft_id id, uint32_t n)
{
    raft_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.id = id;
    cfg.n_nodes = n;
    raft_io io = {.ctx = h, .now = fake_now, .send = fake_send, .persist = fake_persist,
                  .apply = fake_apply, .event = fake_event, .read_ready = fake_read_ready};
    void *node = naive_proto_ops.create(&cfg, &io, NULL);
    cr_assert_not_null(node);
    cr_assert_eq(naive_proto_ops.next_deadline(node), h->now_ns);
    naive_proto_ops.tick(node);
    return node;
}

static bool saw_event(const fake_host *h, enum raft_event_kind kind, uint64_t a, uint64_t b)
{
    for (int i = 0; i < h->n_events; i++)
        if (h->events[i].kind == kind && h->events[i].a == a && h->events[i].b == b)
            return true;
    return false;
}

static void propose_str(void *leader, const char *s, uint64_t want_index)
{
    uint64_t index = 0, term = 0;
    cr_assert_eq(naive_proto_ops.propose(leader, s, strlen(s), &index, &term), RAFT_OK);
    cr_assert_eq(index, want_index);
    cr_assert_eq(term, 1);
}

Test(naive, node_1_announces_itself_leader_of_term_1_on_its_first_tick)
{
    fake_host h1 = {.now_ns = 5}, h2 = {.now_ns = 5};
    void *n1 = start_node(&h1, 1, 3), *n2 = start_node(&h2, 2, 3);
    cr_assert(saw_event(&h1, RAFT_EV_ROLE, RAFT_LEADER, 1));
    cr_assert(!saw_event(&h2, RAFT_EV_ROLE, RAFT_LEADER, 1));
    cr_assert_eq(naive_proto_ops.next_deadline(n1), UINT64_MAX);
    naive_proto_ops.destroy(n1);
    naive_proto_ops.destroy(n2);
}

Test(naive, proposal_on_node_1_is_sent_to_every_replica_and_applied_when_durable)
{
    fake_host h = {0};
    void *n1 = start_node(&h, 1, 3);
    propose_str(n1, "abc", 1);
    cr_assert_eq(h.n_sent, 2);
    cr_assert_eq(h.sent_to[0], 2);
    cr_assert_eq(h.sent_to[1], 3);
    raft_msg m;
    raft_entry scratch[4];
    cr_assert_eq(raft_msg_decode(h.sent[1], h.sent_len[1], &m, scratch, 4), RAFT_OK);
    cr_assert_eq(m.type, RAFT_MSG_APPEND_ENTRIES);
    cr_assert_eq(m.term, 1);
    cr_assert_eq(m.ae.n_entries, 1);
    cr_assert_eq(memcmp(m.ae.entries[0].data, "abc", 3), 0);
    cr_assert(saw_event(&h, RAFT_EV_APPEND, 1, 1));
    cr_assert_eq(h.n_persist, 1);
    naive_proto_ops.persisted(n1, h.last_token); /* no quorum: its own disk is enough */
    cr_assert_eq(h.n_applied, 1);
    cr_assert_str_eq(h.applied_data[0], "abc");
    cr_assert(saw_event(&h, RAFT_EV_COMMIT, 1, 0));
    cr_assert(saw_event(&h, RAFT_EV_APPLY, 1, 0));
    naive_proto_ops.destroy(n1);
}

/* Deliver message `k` that the leader host recorded to `replica`. */
static void deliver(const fake_host *from, int k, void *replica)
{
    cr_assert_eq(naive_proto_ops.receive(replica, 1, from->sent[k], from->sent_len[k]), RAFT_OK);
}

Test(naive, replica_applies_in_arrival_order_so_a_dropped_message_leaves_an_unnoticed_gap)
{
    fake_host h1 = {0}, h2 = {0};
    void *n1 = start_node(&h1, 1, 2), *n2 = start_node(&h2, 2, 2);
    propose_str(n1, "A", 1);
    propose_str(n1, "B", 2);
    propose_str(n1, "C", 3);
    cr_assert_eq(h1.n_sent, 3);
    deliver(&h1, 2, n2); /* C overtakes A; B is lost */
    deliver(&h1, 0, n2);
    cr_assert_eq(h2.n_applied, 2);
    cr_assert_eq(h2.applied_index[0], 1);
    cr_assert_str_eq(h2.applied_data[0], "C");
    cr_assert_str_eq(h2.applied_data[1], "A");
    raft_status st;
    naive_proto_ops.get_status(n2, &st);
    cr_assert_eq(st.commit_index, 2);
    cr_assert_eq(st.last_index, 2);
    cr_assert_eq(h2.n_sent, 0, "a replica never answers, so nobody notices the gap");
    naive_proto_ops.destroy(n1);
    naive_proto_ops.destroy(n2);
}

Test(naive, non_leader_refuses_proposals_and_reads_with_leader_hint_1)
{
    fake_host h = {0};
    void *n3 = start_node(&h, 3, 3);
    uint64_t index = 0, term = 0;
    cr_assert_eq(naive_proto_ops.propose(n3, "x", 1, &index, &term), RAFT_ENOTLEADER);
    cr_assert_eq(naive_proto_ops.read_index(n3, 7), RAFT_ENOTLEADER);
    raft_status st;
    naive_proto_ops.get_status(n3, &st);
    cr_assert_eq(st.leader, 1);
    cr_assert_eq(st.role, RAFT_FOLLOWER);
    cr_assert_eq(h.n_sent + h.n_persist, 0);
    naive_proto_ops.destroy(n3);
}

Test(naive, leader_answers_a_read_at_once_with_its_commit_index_and_refuses_transfer)
{
    fake_host h = {0};
    void *n1 = start_node(&h, 1, 3);
    propose_str(n1, "a", 1);
    propose_str(n1, "b", 2);
    naive_proto_ops.persisted(n1, h.last_token);
    cr_assert_eq(naive_proto_ops.read_index(n1, 1), RAFT_OK);
    cr_assert_eq(h.n_reads, 1);
    cr_assert_eq(h.read_index, 2);
    cr_assert_eq(naive_proto_ops.transfer(n1, 2), RAFT_EINVAL);
    naive_proto_ops.destroy(n1);
}

Test(naive, restarted_node_reapplies_its_recovered_log_on_the_first_tick)
{
    fake_host h = {0};
    raft_entry boot_log[2] = {{.term = 1, .type = RAFT_ENTRY_DATA, .len = 1,
                               .data = (const uint8_t *)"p"},
                              {.term = 1, .type = RAFT_ENTRY_DATA, .len = 1,
                               .data = (const uint8_t *)"q"}};
    raft_boot boot = {.hs = {.term = 1}, .entries = boot_log, .n_entries = 2};
    raft_config cfg = {.id = 2, .n_nodes = 3};
    raft_io io = {.ctx = &h, .now = fake_now, .send = fake_send, .persist = fake_persist,
                  .apply = fake_apply, .event = fake_event};
    void *n2 = naive_proto_ops.create(&cfg, &io, &boot);
    cr_assert_not_null(n2);
    cr_assert_eq(h.n_applied, 0, "nothing reaches the host from create");
    naive_proto_ops.tick(n2);
    cr_assert_eq(h.n_applied, 2);
    cr_assert_str_eq(h.applied_data[1], "q");
    naive_proto_ops.destroy(n2);
}
