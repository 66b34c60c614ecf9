-- AlterTable
ALTER TABLE "ChatIdentity" ADD COLUMN     "shareFills" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "NotificationOutbox" ADD COLUMN     "deliveredVia" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "Position" ADD COLUMN     "exitAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "exitClaimedAt" TIMESTAMP(3),
ADD COLUMN     "exitKind" TEXT,
ADD COLUMN     "tpslPaused" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "SniperOrder" ADD COLUMN     "armed" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "fireCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "paused" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "notifySettings" JSONB;

-- CreateTable
CREATE TABLE "ListingQuote" (
    "listingId" TEXT NOT NULL,
    "yesBid" DECIMAL(10,6),
    "yesAsk" DECIMAL(10,6),
    "noBid" DECIMAL(10,6),
    "noAsk" DECIMAL(10,6),
    "stale" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ListingQuote_pkey" PRIMARY KEY ("listingId")
);

-- CreateTable
CREATE TABLE "PriceTick" (
    "id" BIGSERIAL NOT NULL,
    "listingId" TEXT NOT NULL,
    "yesBid" DECIMAL(10,6),
    "yesAsk" DECIMAL(10,6),
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PriceTick_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LinkCode" (
    "code" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LinkCode_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "ChatMessageRef" (
    "id" UUID NOT NULL,
    "orderId" UUID NOT NULL,
    "platform" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatMessageRef_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChannelSubscription" (
    "id" UUID NOT NULL,
    "platform" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "marketId" TEXT,
    "side" TEXT,
    "level" DECIMAL(10,6),
    "threshold" DECIMAL(10,6),
    "createdBy" TEXT NOT NULL,
    "lastFiredAt" TIMESTAMP(3),
    "lastState" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChannelSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PriceTick_listingId_at_idx" ON "PriceTick"("listingId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "ChatMessageRef_orderId_platform_chatId_key" ON "ChatMessageRef"("orderId", "platform", "chatId");

-- CreateIndex
CREATE INDEX "ChannelSubscription_platform_chatId_idx" ON "ChannelSubscription"("platform", "chatId");

-- CreateIndex
CREATE INDEX "ChannelSubscription_marketId_kind_idx" ON "ChannelSubscription"("marketId", "kind");
