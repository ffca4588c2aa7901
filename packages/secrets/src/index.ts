/** Credential encryption (AES-256-GCM, HKDF) and secret providers. */
export {};
