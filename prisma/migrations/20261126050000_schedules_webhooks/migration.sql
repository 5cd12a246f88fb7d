-- CreateEnum
CREATE TYPE "WebhookKind" AS ENUM ('slack', 'dingtalk', 'feishu', 'wecom', 'teams', 'generic');

-- CreateEnum
CREATE TYPE "DeliveryResult" AS ENUM ('delivered', 'retrying', 'gave_up');

-- AlterEnum
ALTER TYPE "ScanStatus" ADD VALUE 'skipped';

-- AlterTable
ALTER TABLE "finding_states" ADD COLUMN     "first_scan_id" UUID,
ADD COLUMN     "resolved_scan_id" UUID;

-- AlterTable
ALTER TABLE "scans" ADD COLUMN     "scheduled_run" TEXT;

-- CreateTable
CREATE TABLE "schedules" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "cron" TEXT,
    "timezone" TEXT,
    "every_seconds" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "schedules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhooks" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "kind" "WebhookKind" NOT NULL,
    "url_display" TEXT NOT NULL,
    "has_secret" BOOLEAN NOT NULL,
    "sealed" BYTEA NOT NULL,
    "sealed_key_id" TEXT NOT NULL,
    "min_severity" "Severity" NOT NULL DEFAULT 'warning',
    "cluster_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "scan_id" UUID,
    "event" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "result" "DeliveryResult" NOT NULL,
    "http_status" INTEGER,
    "code" TEXT,
    "error" TEXT,
    "duration_ms" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "schedules_cluster_id_key" ON "schedules"("cluster_id");

-- CreateIndex
CREATE INDEX "schedules_organization_id_idx" ON "schedules"("organization_id");

-- CreateIndex
CREATE INDEX "webhooks_organization_id_created_at_id_idx" ON "webhooks"("organization_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "webhook_deliveries_webhook_id_at_id_idx" ON "webhook_deliveries"("webhook_id", "at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_webhook_id_scan_id_attempt_key" ON "webhook_deliveries"("webhook_id", "scan_id", "attempt");

-- CreateIndex
CREATE INDEX "finding_states_target_id_first_scan_id_idx" ON "finding_states"("target_id", "first_scan_id");

-- CreateIndex
CREATE INDEX "finding_states_target_id_resolved_scan_id_idx" ON "finding_states"("target_id", "resolved_scan_id");

-- CreateIndex
CREATE UNIQUE INDEX "scans_scheduled_run_key" ON "scans"("scheduled_run");

-- AddForeignKey
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhooks" ADD CONSTRAINT "webhooks_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

