-- CreateTable
CREATE TABLE "provider_profile_settings" (
    "organization_id" UUID NOT NULL,
    "overrides" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "provider_profile_settings_pkey" PRIMARY KEY ("organization_id")
);

-- AddForeignKey
ALTER TABLE "provider_profile_settings" ADD CONSTRAINT "provider_profile_settings_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
