-- Per-Service verdicts of each scan, their counts on the scan, and what changed since the target's previous scan.

-- CreateEnum
CREATE TYPE "Verdict" AS ENUM ('safe', 'drops', 'unknown');

-- AlterTable
ALTER TABLE "scans" ADD COLUMN     "services_dropping" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "services_judged" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "services_unknown" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "verdict_changes" JSONB;

-- CreateTable
CREATE TABLE "service_verdicts" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "scan_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "verdict" "Verdict" NOT NULL,
    "dropped_traffic_seconds" DOUBLE PRECISION NOT NULL,
    "data" JSONB NOT NULL,
    "timeline_svg" TEXT,

    CONSTRAINT "service_verdicts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "service_verdicts_scan_id_verdict_seq_idx" ON "service_verdicts"("scan_id", "verdict", "seq");

-- CreateIndex
CREATE INDEX "service_verdicts_organization_id_idx" ON "service_verdicts"("organization_id");

-- CreateIndex
CREATE UNIQUE INDEX "service_verdicts_scan_id_seq_key" ON "service_verdicts"("scan_id", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "service_verdicts_scan_id_namespace_name_key" ON "service_verdicts"("scan_id", "namespace", "name");

-- AddForeignKey
ALTER TABLE "service_verdicts" ADD CONSTRAINT "service_verdicts_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "service_verdicts" ADD CONSTRAINT "service_verdicts_scan_id_fkey" FOREIGN KEY ("scan_id") REFERENCES "scans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

