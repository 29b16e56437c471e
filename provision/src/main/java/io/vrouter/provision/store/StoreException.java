package io.vrouter.provision.store;

/** The backing store could not be read or written (I/O error, etcd unreachable, corrupt data). */
public class StoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
