/* The handlers behind the routes (api.c); routes.c says which is which. */
#ifndef LDN_SERVER_API_H
#define LDN_SERVER_API_H

#include "app.h"

typedef void handler_fn(struct app *app, struct req *req, struct resp *resp);

handler_fn api_healthz, api_metrics, api_openapi, api_kb, api_plan,
    api_check_order, api_patients, api_patient_add, api_plan_add, api_visit_add,
    api_next, api_history, api_cds_discovery, api_cds_service, api_cds_feedback,
    api_web_index, api_web_file, api_ask, api_review_status, api_review_item,
    api_review_act, api_editorial_policy;

/* The CDS services' token verifiers, from the configuration (cds.c):
 * 0, or an exit code after saying why on stderr. */
int cds_setup(struct app *app);
void cds_teardown(struct app *app);

#endif
