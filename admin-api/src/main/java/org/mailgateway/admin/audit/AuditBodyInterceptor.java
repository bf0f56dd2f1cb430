package org.mailgateway.admin.audit;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.IOException;

/**
 * Keeps the request entity, as read for the resource method, in a request property for {@link AuditFilter}. The
 * console's form handlers, whose fields are not an entity, put what they act on there themselves.
 */
@Provider
public class AuditBodyInterceptor implements ReaderInterceptor {

    /** The request property the audit record takes its {@code body} from. */
    public static final String BODY = "mailgateway.audit.body";

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException, WebApplicationException {
        Object entity = context.proceed();
        context.setProperty(BODY, entity);
        return entity;
    }
}
