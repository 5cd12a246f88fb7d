import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';

/** The manifests an upload scan was given, as they came. */
@Injectable()
export class ScanInputRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The files of an organization's upload scan; undefined for another organization's scan or a cluster scan. */
  async files(organizationId: string, scanId: string): Promise<Array<{ name: string; text: string }> | undefined> {
    const input = await this.prisma.client.scanInput.findFirst({ where: { scanId, scan: { organizationId } }, select: { files: true } });
    if (!input || !Array.isArray(input.files)) return undefined;
    return input.files.flatMap((file) => {
      const { name, text } = (file ?? {}) as { name?: unknown; text?: unknown };
      return typeof name === 'string' && typeof text === 'string' ? [{ name, text }] : [];
    });
  }
}
