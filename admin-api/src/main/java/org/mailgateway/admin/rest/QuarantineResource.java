package org.mailgateway.admin.rest;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.service.QuarantineService;

/** HTTP in, {@link QuarantineService} call, HTTP out. */
@Path("/api/v1/quarantine")
@Tag(name = "Quarantine", description = "Messages the policy service held back")
@RolesAllowed(Roles.VIEWER)
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

    @POST
    @Path("/{id}/release")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Release a message for delivery to its recipients (operator role)")
    public Uni<QuarantineService.Released> release(@PathParam("id") String id, @Context SecurityIdentity caller) {
        return quarantine.release(id, caller.getPrincipal().getName());
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Delete a message from the quarantine, bytes and all (operator role)")
    public Uni<Void> delete(@PathParam("id") String id) {
        return quarantine.delete(id);
    }
}
