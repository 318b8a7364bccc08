/* Intake: any accepted input becomes one struct patient. */
#ifndef LDN_INTAKE_H
#define LDN_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/error_impl.h"
#include "../kb/kb_impl.h"
#include "../patient.h"

#include "../base/tree.h"

/*
 * Read a patient from len bytes of JSON at buf (padded: LDN_INPUT_PADDING
 * readable bytes follow it), as of the given day: a FHIR
 * R4 Bundle (detected by its resourceType) or the native patient JSON.  On
 * success *out is owned by a; on failure err names the field (a JSON
 * pointer) and says why.
 */
enum ldn_status intake_parse(const struct ldn_kb *kb, struct arena *a,
    const char *buf, size_t len, bool padded, int32_t as_of,
    struct patient **out, struct ldn_error *err);

/* As intake_parse(), from a tree already parsed (cds.c assembles one from
 * CDS Hooks prefetch); root and its strings must outlive *out. */
enum ldn_status intake_tree(const struct ldn_kb *kb, struct arena *a,
    const struct jnode *root, int32_t as_of, struct patient **out,
    struct ldn_error *err);

/* The RxNorm codings of a FHIR CodeableConcept (RxNorm's URL or its OID)
 * appended to codes[] after the n already there, at most max; returns the
 * new count (fhir.c; lib/cds reads draft orders with it too). */
size_t fhir_rxnorm_codes(const struct jnode *cc, const char **codes, size_t n,
    size_t max);

/* The native patient JSON (native.c).  Strict: unknown fields, wrong types,
 * impossible values and dates after as_of are refused. */
enum ldn_status intake_native(const struct ldn_kb *kb, struct arena *a,
    const struct jnode *root, int32_t as_of, struct patient *p,
    struct ldn_error *err);

/* How deep a patient document may nest (native JSON or a Bundle). */
enum {
	INTAKE_MAX_DEPTH = 16
};

/* A FHIR R4 Bundle (fhir.c). */
extern const char *const fhir_types_read[]; /* NULL-terminated */
bool intake_is_fhir(const struct jnode *root);
enum ldn_status intake_fhir(const struct ldn_kb *kb, struct arena *a,
    const struct jnode *root, int32_t as_of, struct patient *p,
    struct ldn_error *err);

/* Without a recorded weight, the latest body-weight lab's (dated beats
 * undated; the last listed breaks ties). */
void intake_weight_from_labs(struct patient *p);

#endif
