// SPDX-License-Identifier: MIT
/*
 * The name service (ADR 0011). Names are up to 16 bytes, unique in the
 * whole system. Monitor 0 keeps the directory: each name and the core
 * whose monitor registered it. Each monitor keeps its own domains' names
 * with a copy of the endpoint registered (the only thing a client on the
 * same core can use today) and the badge of the domain that registered it.
 *
 * A name goes when its owner unregisters it (lib/rt does on exit) or when
 * the endpoint registered goes (its domain was killed or waited for): the
 * monitor that holds the endpoint finds that when it looks (names_sweep)
 * and tells monitor 0 (MON_NAME_DROP).
 *
 * Requests from domains on core k > 0 need monitor 0 (MON_NAME_REG,
 * MON_NAME_FIND): an operation each, one round.
 *
 * The system services' names (ADR 0016) are the monitors' own
 * (names_system): owned by no domain, on endpoints that never go.
 *
 * Layer: a role (clients.c hands it requests, main.c messages).
 */
#include <stdlib.h>
#include <string.h>

#include <abi/monitor.h>
#include <rt/mem.h>

#include "monitor.h"
#include "names.h"
#include "ops.h"
#include "records.h"

#define NAME_TICKS 520 /* monitor 0 answers at once */

struct name {
	struct name *next;
	uint64_t key[2]; /* the name, NUL-padded */
	unsigned core;	 /* directory: where it was registered */
	capaddr_t ep;	 /* ours: a copy of the endpoint registered */
	uint64_t owner;	 /* ours: the badge of the domain that registered it */
};

static struct name *dir;  /* monitor 0: every name */
static struct name *mine; /* names this monitor's domains registered */

/* A name: 1 to 16 printable bytes, NUL-padded, no byte after a NUL. */
static bool valid(const uint64_t key[2])
{
	const unsigned char *b = (const unsigned char *)key;
	unsigned n = 0;
	while (n < 16 && b[n])
		if (b[n] <= ' ' || b[n++] > '~')
			return false;
	for (unsigned i = n; i < 16; i++)
		if (b[i])
			return false;
	return n > 0;
}

static int cmp(const uint64_t a[2], const uint64_t b[2])
{
	return memcmp(a, b, 16);
}

static struct name **find(struct name **list, const uint64_t key[2])
{
	while (*list && cmp((*list)->key, key))
		list = &(*list)->next;
	return list;
}

static bool add(struct name **list, const uint64_t key[2], unsigned core, capaddr_t ep,
		uint64_t owner)
{
	struct name *n = calloc(1, sizeof(*n));
	if (!n)
		return false;
	*n = (struct name){*list, {key[0], key[1]}, core, ep, owner};
	*list = n;
	return true;
}

static void drop(struct name **at)
{
	struct name *n = *at;
	*at = n->next;
	free(n);
}

/* Monitor 0: the directory changes. */
static errval_t dir_add(const uint64_t key[2], unsigned core)
{
	if (*find(&dir, key))
		return ERR_NAME_TAKEN;
	return add(&dir, key, core, SLOT_NONE, 0) ? ERR_OK : ERR_NO_MEMORY;
}

static void dir_drop(const uint64_t key[2], unsigned core)
{
	struct name **at = find(&dir, key);
	if (*at && (*at)->core == core)
		drop(at);
}

/* Monitor 0: the lowest name above `after` (or `after` itself if exact). */
static struct name *dir_next(const uint64_t key[2], bool above)
{
	if (!above)
		return *find(&dir, key);
	struct name *best = NULL;
	for (struct name *n = dir; n; n = n->next)
		if (cmp(n->key, key) > 0 && (!best || cmp(n->key, best->key) < 0))
			best = n;
	return best;
}

static void forget(struct name **at)
{
	union mon_payload d = {.name_drop = {.key = {(*at)->key[0], (*at)->key[1]}}};
	slot_drop((*at)->ep);
	if (mon_me() == 0)
		dir_drop((*at)->key, 0);
	else
		mon_send(0, MON_NAME_DROP, &d);
	drop(at);
}

void names_sweep(void)
{
	for (struct name **at = &mine; *at;) {
		struct cap_info ci;
		if (cap_identify((*at)->ep, &ci) == ERR_CAP_EMPTY)
			forget(at);
		else
			at = &(*at)->next;
	}
}

/* ---- requests from local domains ---- */

struct name_op {
	struct op op;
	struct asker to;
	uint64_t key[2];
	capaddr_t ep;
	uint64_t owner;
	struct name_op *next; /* registering: asked monitor 0, not answered yet */
};

/* Registrations monitor 0 has (it answered, or will) but we have not heard
   of yet: a client that found the name there may offer a channel to it
   before our answer comes (names_local). */
static struct name_op *registering;

static struct name_op *name_op(struct asker to, const uint64_t key[2], uint8_t answer)
{
	struct name_op *n = (struct name_op *)op_new(sizeof(*n));
	if (!n)
		return NULL;
	n->to = to;
	n->key[0] = key[0];
	n->key[1] = key[1];
	n->ep = SLOT_NONE;
	op_round(&n->op, answer);
	return n;
}

static void registered(struct op *o)
{
	struct name_op *n = (struct name_op *)o;
	errval_t err = o->err;
	for (struct name_op **at = &registering; *at; at = &(*at)->next)
		if (*at == n) {
			*at = n->next;
			break;
		}
	if (!err && !add(&mine, n->key, mon_me(), n->ep, n->owner))
		err = ERR_NO_MEMORY;
	if (err) { /* (a drop of what is not there changes nothing) */
		union mon_payload d = {.name_drop = {.key = {n->key[0], n->key[1]}}};
		if (err != ERR_NAME_TAKEN)
			mon_send(0, MON_NAME_DROP, &d);
		slot_drop(n->ep);
	}
	asker_fail(&n->to, err);
	op_end(o);
}

capaddr_t names_local(const uint64_t key[2], uint64_t *owner)
{
	names_sweep();
	struct name *n = *find(&mine, key);
	if (n) {
		*owner = n->owner;
		return n->ep;
	}
	for (struct name_op *r = registering; r; r = r->next)
		if (!cmp(r->key, key)) {
			*owner = r->owner;
			return r->ep;
		}
	return SLOT_NONE;
}

static void name_register(struct asker to, uint64_t owner, capaddr_t ep, const uint64_t key[2])
{
	struct cap_info ci;
	errval_t err = ep == SLOT_NONE		 ? ERR_BAD_REQUEST
		       : cap_identify(ep, &ci)	 ? ERR_CAP_EMPTY
		       : ci.type != OBJ_ENDPOINT ? ERR_CAP_TYPE
		       : !valid(key)		 ? ERR_NAME_INVALID
						 : ERR_OK;
	names_sweep();
	if (!err && *find(&mine, key))
		err = ERR_NAME_TAKEN;
	if (!err && mon_me() == 0 && !(err = dir_add(key, 0)) && !add(&mine, key, 0, ep, owner)) {
		dir_drop(key, 0);
		err = ERR_NO_MEMORY;
	} else if (!err && mon_me() != 0) {
		struct name_op *n = name_op(to, key, MON_NAME_REGGED);
		union mon_payload q = {.name_reg = {.key = {key[0], key[1]}}};
		if (n) {
			n->ep = ep;
			n->owner = owner;
			n->next = registering;
			registering = n;
			n->op.err = op_ask(&n->op, 0, MON_NAME_REG, &q);
			op_wait(&n->op, NAME_TICKS, registered);
			return;
		}
		err = ERR_NO_MEMORY;
	}
	if (err && ep != SLOT_NONE)
		slot_drop(ep);
	asker_fail(&to, err);
}

/* Answer a lookup or a list: the name's core, and its endpoint when it
   is on ours and a lookup asked. */
static void name_answer(struct asker to, errval_t err, uint64_t core, const uint64_t key[2],
			bool give)
{
	union monitor_rep r = {.name_next = {.err = err, .core = core}};
	capaddr_t copy = SLOT_NONE;
	struct name *n = NULL;
	memcpy(r.name_next.name, key, 16);
	if (!err && give && core == mon_me()) {
		names_sweep();
		n = *find(&mine, key);
		r.err = !n				     ? ERR_NAME_NOT_FOUND
			: (copy = slot_alloc()) == SLOT_NONE ? ERR_NO_SLOTS
			: cnode_copy(CAPADDR(CAPADDR_L1(copy), 0), 1, CAPADDR_L2(copy), n->ep,
				     CAP_RIGHTS_ALL)
			    ? ERR_NO_SLOTS
			    : ERR_OK;
	}
	if (r.err && copy != SLOT_NONE) {
		slot_free(copy);
		copy = SLOT_NONE;
	}
	op_reply(to.ep, to.own, r.words, copy == SLOT_NONE ? CAPADDR_NONE : copy,
		 copy != SLOT_NONE);
}

struct find_op {
	struct name_op n;
	bool give;
};

static void found(struct op *o)
{
	struct find_op *f = (struct find_op *)o;
	name_answer(f->n.to, o->err, o->last[0], o->err ? f->n.key : &o->last[1], f->give);
	op_end(o);
}

/* MONITOR_NAME_LOOKUP (give: its endpoint) or MONITOR_NAME_NEXT. */
static void name_find(struct asker to, const uint64_t key[2], bool above)
{
	if (mon_me() == 0) {
		names_sweep();
		struct name *n = dir_next(key, above);
		name_answer(to, n ? ERR_OK : ERR_NAME_NOT_FOUND, n ? n->core : 0, n ? n->key : key,
			    !above);
		return;
	}
	struct find_op *f = (struct find_op *)name_op(to, key, MON_NAME_FOUND);
	if (!f) {
		asker_fail(&to, ERR_NO_MEMORY);
		return;
	}
	f->give = !above;
	union mon_payload q = {.name_find = {.key = {key[0], key[1]}, .above = above}};
	f->n.op.err = op_ask(&f->n.op, 0, MON_NAME_FIND, &q);
	op_wait(&f->n.op, NAME_TICKS, found);
}

void names_request(struct asker to, uint64_t owner, capaddr_t ep, const union monitor_req *q)
{
	if (ep != SLOT_NONE && q->op != MONITOR_NAME_REGISTER) {
		slot_drop(ep);
		asker_fail(&to, ERR_BAD_REQUEST);
		return;
	}
	switch (q->op) {
	case MONITOR_NAME_REGISTER:
		name_register(to, owner, ep, q->name_register.name);
		return;
	case MONITOR_NAME_LOOKUP:
		name_find(to, q->name_lookup.name, false);
		return;
	case MONITOR_NAME_NEXT:
		name_find(to, q->name_next.after, true);
		return;
	default: { /* MONITOR_NAME_UNREGISTER */
		struct name **at = find(&mine, q->name_unregister.name);
		errval_t err = *at && (*at)->owner == owner ? ERR_OK : ERR_NAME_NOT_FOUND;
		if (!err)
			forget(at);
		asker_fail(&to, err);
	}
	}
}

/* ---- the system services' names (ADR 0016) ---- */

errval_t names_system(const char *name, capaddr_t ep)
{
	uint64_t key[2] = {0, 0};
	size_t n = strlen(name);
	if (n == 0 || n > sizeof(key))
		return ERR_NAME_INVALID;
	memcpy(key, name, n);
	errval_t err = valid(key) ? ERR_OK : ERR_NAME_INVALID;
	if (!err && *find(&mine, key))
		err = ERR_NAME_TAKEN;
	if (!err && mon_me() == 0)
		err = dir_add(key, 0);
	if (!err && !add(&mine, key, mon_me(), ep, 0)) { /* owner 0: no domain's badge */
		if (mon_me() == 0)
			dir_drop(key, 0);
		err = ERR_NO_MEMORY;
	}
	if (!err && mon_me() != 0) {
		/* At boot, before any domain runs: the name cannot be taken
		   yet, so no answer is waited for (req 0: none is matched, and
		   the answer is dropped as late). Our own lookups go after it
		   on the same channel. */
		union mon_payload q = {.name_reg = {.key = {key[0], key[1]}}};
		err = mon_send(0, MON_NAME_REG, &q);
	}
	return err;
}

/* ---- monitor 0: the directory, for the other monitors ---- */

void names_on_message(unsigned from, uint8_t type, const union mon_payload *p)
{
	union mon_payload r = {.answer = {.req = p->request.req}};
	if (type == MON_NAME_REG) {
		r.name_regged.err =
		    valid(p->name_reg.key) ? dir_add(p->name_reg.key, from) : ERR_NAME_INVALID;
		mon_send(from, MON_NAME_REGGED, &r);
	} else if (type == MON_NAME_FIND) {
		names_sweep();
		struct name *n = dir_next(p->name_find.key, p->name_find.above);
		r.name_found.err = n ? ERR_OK : ERR_NAME_NOT_FOUND;
		if (n) {
			r.name_found.core = n->core;
			memcpy(r.name_found.key, n->key, 16);
		}
		mon_send(from, MON_NAME_FOUND, &r);
	} else if (type == MON_NAME_DROP) {
		dir_drop(p->name_drop.key, from);
	}
}
