package org.mailgateway.admin.rest;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.service.KeyService;

/** HTTP in, {@link KeyService} call, HTTP out: the API keys (admin role). */
@Path("/api/v1/keys")
@Tag(name = "Keys", description = "API keys and their roles: list them, make one (shown once), delete one made here")
@RolesAllowed(Roles.ADMIN)
public class KeysResource {

    private final KeyService keys;

    public KeysResource(KeyService keys) {
        this.keys = keys;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Every key: name, role, source (generated, file, api), created and created by (api keys); never a key or hash")
    @APIResponse(responseCode = "200", description = "the keys", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "keys", value = """
                    [{"name": "local-admin", "role": "admin", "source": "generated", "createdAt": null, "createdBy": null},
                     {"name": "grafana", "role": "viewer", "source": "file", "createdAt": null, "createdBy": null},
                     {"name": "night-shift", "role": "operator", "source": "api", "createdAt": "2026-11-28T10:21:07.331Z",
                      "createdBy": "local-admin"}]""")))
    public Uni<List<KeyService.KeyView>> list() {
        return keys.list();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Make a key: {\"name\": \"night-shift\", \"role\": \"operator\"}; the answer holds the key, shown this "
            + "once (only its SHA-256 is stored); a name in use (any source) is a 409")
    @APIResponse(responseCode = "201", description = "the new key, with the key itself", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "created", value = """
                    {"name": "night-shift", "role": "operator", "key": "q8Yt2l0vJcM3xW9bN4rH7sE1uK6aZ5dF0gP2iL8oV3w",
                     "source": "api", "createdAt": "2026-11-28T10:21:07.331Z", "createdBy": "local-admin"}""")))
    @APIResponse(responseCode = "409", description = "a key of that name exists (local-admin, the key file or made here)")
    public Uni<Response> create(
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "key",
                    value = "{\"name\": \"night-shift\", \"role\": \"operator\"}"))) KeyService.NewKey request,
            @Context SecurityIdentity caller) {
        return keys.create(request, caller.getPrincipal().getName())
                .map(created -> Response.status(Response.Status.CREATED).entity(created).build());
    }

    @DELETE
    @Path("/{name}")
    @Operation(summary = "Delete a key made over the API: it stops working at once, on every replica, and its console "
            + "sessions end; local-admin and key-file keys are a 409 (configured, not managed here)")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "409", description = "local-admin or a key of the key file: change the configuration instead")
    public Uni<Response> delete(@Parameter(description = "the key's name") @PathParam("name") String name) {
        return keys.delete(name).map(done -> Response.noContent().build());
    }
}
