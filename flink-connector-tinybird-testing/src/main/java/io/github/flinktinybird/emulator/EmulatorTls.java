package io.github.flinktinybird.emulator;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

/**
 * The emulator's TLS identity: a self-signed certificate for {@code 127.0.0.1} and {@code
 * localhost}, valid until 2126, with its key, from the resource {@value #RESOURCE}.
 *
 * <p>The key is public (it is in the repository) and so protects nothing: it only lets clients
 * speak TLS, and hence HTTP/2, to a loopback emulator. It was made with {@code keytool
 * -genkeypair -alias emulator -keyalg EC -groupname secp256r1 -ext san=ip:127.0.0.1,dns:localhost
 * -validity 36500 -storetype PKCS12 -storepass emulator}.
 */
final class EmulatorTls {

    static final String RESOURCE = "emulator-tls.p12";
    private static final char[] PASSWORD = "emulator".toCharArray();
    private static final String ALIAS = "emulator";

    private final KeyManagerFactory keyManagers;
    private final X509Certificate certificate;
    private final X509TrustManager trustManager;

    private EmulatorTls(KeyManagerFactory keyManagers, X509Certificate certificate, X509TrustManager trustManager) {
        this.keyManagers = keyManagers;
        this.certificate = certificate;
        this.trustManager = trustManager;
    }

    static EmulatorTls load() {
        try (InputStream in = EmulatorTls.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the emulator's TLS key store " + RESOURCE + " is not on the class path");
            }
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, PASSWORD);
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, PASSWORD);
            X509Certificate certificate = (X509Certificate) keyStore.getCertificate(ALIAS);

            // Trust exactly this certificate, nothing of the JDK's default trust store.
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry(ALIAS, certificate);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trusted);
            X509TrustManager trustManager = null;
            for (TrustManager candidate : trustManagers.getTrustManagers()) {
                if (candidate instanceof X509TrustManager) {
                    trustManager = (X509TrustManager) candidate;
                }
            }
            if (trustManager == null) {
                throw new IllegalStateException("the JDK offers no X509TrustManager");
            }
            return new EmulatorTls(keyManagers, certificate, trustManager);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the emulator's TLS key store " + RESOURCE, e);
        }
    }

    KeyManagerFactory keyManagers() {
        return keyManagers;
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** Trusts the emulator's certificate only. */
    X509TrustManager trustManager() {
        return trustManager;
    }

    /** A server-side context for the JDK's HTTPS server. */
    SSLContext serverContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client-side context that trusts the emulator's certificate only. */
    SSLContext clientContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustManager}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
