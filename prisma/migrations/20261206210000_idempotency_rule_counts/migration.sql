-- AlterTable
ALTER TABLE "scans" ADD COLUMN     "idempotency_key" TEXT,
ADD COLUMN     "rule_counts" JSONB;

-- CreateIndex
CREATE UNIQUE INDEX "scans_organization_id_idempotency_key_key" ON "scans"("organization_id", "idempotency_key");

