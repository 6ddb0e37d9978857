/** The encrypted gp3 StorageClass the SPIRE server's volume uses (Cilium's values name it). */
export const SPIRE_STORAGE_CLASS = 'gp3-encrypted';
