-- CreateTable
CREATE TABLE "clusters" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "target_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "server" TEXT NOT NULL,
    "context_name" TEXT NOT NULL,
    "provider" TEXT,
    "slb_attachment_quota" INTEGER,
    "kubernetes_version" TEXT,
    "unlistable_kinds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "access_warnings" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "credentials_ciphertext" BYTEA NOT NULL,
    "credentials_key_id" TEXT NOT NULL,
    "verified_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "clusters_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "clusters_target_id_key" ON "clusters"("target_id");

-- CreateIndex
CREATE INDEX "clusters_organization_id_created_at_id_idx" ON "clusters"("organization_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "clusters_organization_id_name_key" ON "clusters"("organization_id", "name");

-- CreateIndex
CREATE INDEX "finding_states_target_id_severity_first_seen_at_id_idx" ON "finding_states"("target_id", "severity", "first_seen_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "findings_scan_id_fingerprint_idx" ON "findings"("scan_id", "fingerprint");

-- AddForeignKey
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clusters" ADD CONSTRAINT "clusters_target_id_fkey" FOREIGN KEY ("target_id") REFERENCES "targets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

