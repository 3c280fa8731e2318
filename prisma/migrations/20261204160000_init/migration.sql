
-- CreateEnum
CREATE TYPE "profile_image_status" AS ENUM ('none', 'pending', 'ready', 'failed');

-- CreateTable
CREATE TABLE "deployments" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deployments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployment_auth_settings" (
    "deployment_id" TEXT NOT NULL,
    "settings" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "deployment_auth_settings_pkey" PRIMARY KEY ("deployment_id")
);

-- CreateTable
CREATE TABLE "secret_keys" (
    "id" TEXT NOT NULL,
    "deployment_id" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "secret_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "deployment_id" TEXT NOT NULL,
    "first_name" TEXT NOT NULL DEFAULT '',
    "last_name" TEXT NOT NULL DEFAULT '',
    "username" TEXT,
    "username_normalized" TEXT,
    "password_hash" TEXT,
    "profile_picture_url" TEXT NOT NULL DEFAULT '',
    "profile_image_id" TEXT,
    "profile_image_status" "profile_image_status" NOT NULL DEFAULT 'none',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_email_addresses" (
    "id" TEXT NOT NULL,
    "deployment_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "email_address" TEXT NOT NULL,
    "email_normalized" TEXT NOT NULL,
    "is_primary" BOOLEAN NOT NULL DEFAULT false,
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "verified_at" TIMESTAMPTZ(3),
    "verification_strategy" TEXT NOT NULL DEFAULT 'admin',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_email_addresses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_phone_numbers" (
    "id" TEXT NOT NULL,
    "deployment_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "phone_number" TEXT NOT NULL,
    "is_primary" BOOLEAN NOT NULL DEFAULT false,
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "verified_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_phone_numbers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "profile_images" (
    "id" TEXT NOT NULL,
    "deployment_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "status" "profile_image_status" NOT NULL DEFAULT 'pending',
    "staging_key" TEXT,
    "source_sha256" TEXT NOT NULL,
    "object_key" TEXT,
    "url" TEXT,
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "profile_images_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "deployment_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "response_status" INTEGER NOT NULL,
    "response_body" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("deployment_id","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "secret_keys_key_hash_key" ON "secret_keys"("key_hash");

-- CreateIndex
CREATE INDEX "secret_keys_deployment_id_idx" ON "secret_keys"("deployment_id");

-- CreateIndex
CREATE INDEX "users_deployment_id_id_idx" ON "users"("deployment_id", "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "users_deployment_id_username_key" ON "users"("deployment_id", "username_normalized");

-- CreateIndex
CREATE INDEX "user_email_addresses_user_id_idx" ON "user_email_addresses"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "user_email_addresses_deployment_id_email_key" ON "user_email_addresses"("deployment_id", "email_normalized");

-- CreateIndex
CREATE INDEX "user_phone_numbers_user_id_idx" ON "user_phone_numbers"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "user_phone_numbers_deployment_id_phone_key" ON "user_phone_numbers"("deployment_id", "phone_number");

-- CreateIndex
CREATE INDEX "profile_images_user_id_idx" ON "profile_images"("user_id");

-- CreateIndex
CREATE INDEX "profile_images_status_created_at_idx" ON "profile_images"("status", "created_at");

-- CreateIndex
CREATE INDEX "idempotency_records_created_at_idx" ON "idempotency_records"("created_at");

-- AddForeignKey
ALTER TABLE "deployment_auth_settings" ADD CONSTRAINT "deployment_auth_settings_deployment_id_fkey" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "secret_keys" ADD CONSTRAINT "secret_keys_deployment_id_fkey" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_deployment_id_fkey" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_email_addresses" ADD CONSTRAINT "user_email_addresses_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_phone_numbers" ADD CONSTRAINT "user_phone_numbers_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "profile_images" ADD CONSTRAINT "profile_images_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

