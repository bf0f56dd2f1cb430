package org.mailgateway.admin.rest;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.mailgateway.admin.service.QuarantineService;

/** HTTP in, {@link QuarantineService} call, HTTP out. */
@Path("/api/v1/quarantine")
@Tag(name = "Quarantine", description = "Messages the policy service held back")
public class QuarantineResource {

    private final QuarantineService quarantine;

    public QuarantineResource(QuarantineService quarantine) {
        this.quarantine = quarantine;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A page of quarantined messages, newest first; follow nextCursor for the next page")
    public Uni<QuarantineService.Page> list(
            @Parameter(description = "client address or CIDR, e.g. 203.0.113.7 or 203.0.113.0/24") @QueryParam("ip") String ip,
            @Parameter(description = "page size (default 50)") @QueryParam("limit") Integer limit,
            @Parameter(description = "nextCursor from the previous page") @QueryParam("cursor") String cursor) {
        return quarantine.page(ip, limit, cursor);
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One quarantined message: envelope, the rule hits that held it, its headers")
    public Uni<QuarantineService.QuarantinedMessage> get(@PathParam("id") String id) {
        return quarantine.message(id);
    }

    @GET
    @Path("/{id}/raw")
    @Produces("message/rfc822")
    @Operation(summary = "The message exactly as received, as a .eml file")
    public Uni<Response> raw(@PathParam("id") String id) {
        return quarantine.raw(id).map(bytes -> Response.ok(bytes, "message/rfc822")
                .header("Content-Disposition", "attachment; filename=\"" + id + ".eml\"")
                .build());
    }
}
