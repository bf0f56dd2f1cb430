package org.mailgateway.admin.rest;

import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.service.AuditService;

/** HTTP in, {@link AuditService} call, HTTP out. */
@Path("/api/v1/audit")
@Tag(name = "Audit", description = "Every mutating call: which key, what, on what, when, with which result")
@RolesAllowed(Roles.ADMIN)
public class AuditResource {

    private final AuditService audit;

    public AuditResource(AuditService audit) {
        this.audit = audit;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A page of the audit log, newest first; follow nextCursor for the next page (admin role)")
    @APIResponse(responseCode = "200", description = "a page", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "page", value = """
                    {"items": [{"id": 812, "at": "2026-11-28T10:21:07.331Z", "key": "ops", "role": "operator",
                      "action": "POST /api/v1/queue/destinations/{destination}/flush",
                      "target": {"destination": "mx.example.test:25"}, "status": 200}],
                     "nextCursor": "812"}""")))
    public Uni<AuditService.Page> list(
            @Parameter(description = "key name, exactly (e.g. local-admin)") @QueryParam("key") String key,
            @Parameter(description = "a part of the action, e.g. release or DELETE /api/v1/queue") @QueryParam("action") String action,
            @Parameter(description = "only records at or after this time (ISO-8601)") @QueryParam("since") String since,
            @Parameter(description = "page size (default 50)") @QueryParam("limit") Integer limit,
            @Parameter(description = "nextCursor from the previous page") @QueryParam("cursor") String cursor) {
        return audit.page(key, action, since, limit, cursor);
    }
}
