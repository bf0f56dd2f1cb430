package org.mailgateway.admin.console;

import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailgateway.admin.security.Roles;
import org.mailgateway.admin.service.KeyService;

/**
 * Console page over {@link KeyService} for admins: the keys, make one, delete one made here. A new key is shown on
 * the page that answers the form (200, not a redirect): a notice would put it into the session's row in the
 * database, and the key is never stored.
 */
@Path("/console/keys")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.ADMIN)
public class ConsoleKeysResource {

    private final KeyService keys;
    private final Console console;

    public ConsoleKeysResource(KeyService keys, Console console) {
        this.keys = keys;
        this.console = console;
    }

    @GET
    public Uni<TemplateInstance> list(@Context SecurityIdentity caller) {
        return page(caller, null);
    }

    @POST
    @Path("/create")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<TemplateInstance> create(@FormParam("name") String name, @FormParam("role") String role,
            @FormParam("csrf") String csrf, @Context SecurityIdentity caller, @Context ContainerRequestContext request) {
        Console.audit(request, "name", name, "role", role);
        console.checkCsrf(caller, csrf);
        return keys.create(new KeyService.NewKey(name == null ? null : name.strip(), role), caller.getPrincipal().getName())
                .chain(created -> page(caller, created));
    }

    @POST
    @Path("/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> delete(@FormParam("name") String name, @FormParam("csrf") String csrf, @Context SecurityIdentity caller,
            @Context ContainerRequestContext request) {
        Console.audit(request, "name", name);
        console.checkCsrf(caller, csrf);
        return keys.delete(name).chain(done -> console.done(caller, "Deleted the key " + name + ".", Console.ROOT + "/keys"));
    }

    private Uni<TemplateInstance> page(SecurityIdentity caller, KeyService.CreatedKey created) {
        return console.ui(caller, "keys", "API keys").chain(ui -> keys.list().map(list -> Pages.keys(ui, list, created)));
    }
}
