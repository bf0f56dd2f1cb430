package org.mailgateway.admin.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.util.Set;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;
import org.mailgateway.admin.security.ApiKeyIdentityProvider;
import org.mailgateway.admin.store.AuditStore;

/**
 * Records every mutating call (POST, PUT, PATCH, DELETE under {@code /api/}, and the web console's form posts under
 * {@code /console/}) of an authenticated key in the audit table before the answer leaves: the key's name and role, the action (method and route template), the target
 * (path parameters, query parameters and the request body as read by {@link AuditBodyInterceptor}) and the HTTP status, also for
 * refused (403) and failed calls. No resource does anything for it. Calls without a valid key (401) are not
 * recorded: they name nobody, and an anonymous flood must not grow the table.
 * <p>
 * The row is written after the action: if writing it fails, the answer still goes out (the action has happened),
 * the failure is logged at ERROR and counted in {@code gateway_admin_audit_failures_total}.
 */
public class AuditFilter {

    private static final Logger LOG = Logger.getLogger(AuditFilter.class);
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final CurrentIdentityAssociation identities;
    private final AuditStore store;
    private final ObjectMapper json;
    private final Counter failures;

    public AuditFilter(CurrentIdentityAssociation identities, AuditStore store, ObjectMapper json, MeterRegistry registry) {
        this.identities = identities;
        this.store = store;
        this.json = json;
        this.failures = registry.counter("gateway.admin.audit.failures");
    }

    @ServerResponseFilter
    public Uni<Void> record(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        if (!MUTATING.contains(request.getMethod()) || !audited(request.getUriInfo().getPath())) {
            return Uni.createFrom().voidItem();
        }
        String action = request.getMethod() + " " + AuditTarget.routeTemplate(resource, request.getUriInfo().getPath());
        String target = AuditTarget.describe(json, request.getUriInfo(),
                request.getProperty(AuditBodyInterceptor.BODY));
        int status = response.getStatus();
        return identities.getDeferredIdentity()
                .onFailure().recoverWithNull()
                .chain(identity -> identity == null || identity.isAnonymous() ? Uni.createFrom().voidItem()
                        : store.insert(identity.getPrincipal().getName(), role(identity), action, target, status))
                .onFailure().recoverWithUni(e -> {
                    failures.increment();
                    LOG.errorf(e, "could not write the audit record of %s %s (status %d)", action, target, status);
                    return Uni.createFrom().voidItem();
                });
    }

    /** The API, and the console's forms except the login itself (which names nobody yet). */
    static boolean audited(String path) {
        return path.startsWith("/api/") || path.startsWith("/console/") && !path.equals("/console/login");
    }

    private static String role(SecurityIdentity identity) {
        String role = identity.getAttribute(ApiKeyIdentityProvider.ROLE_ATTRIBUTE);
        return role == null ? String.join(",", identity.getRoles()) : role;
    }
}
