import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { PinoNestLogger } from '#rollsafe/runtime';
import { MAX_UPLOAD_BYTES } from '#rollsafe/scans';
import { ApiModule } from './api.module.js';
import type { ApiOptions } from './api.options.js';
import { completeOpenApiDocument } from './errors/openapi-errors.js';
import { ExpressAdapterWithAppPrototypes } from './ops/express-http-server.js';
import { MetricsService } from './ops/metrics.service.js';
import { requestLogMiddleware } from './ops/request-log.middleware.js';
import { declaredLengthLimit } from './rest/bounded-upload.js';
import { uploadBodyReader } from './rest/upload-body.js';
import { GRAPHIQL_ASSETS_PATH, graphiqlAssets } from './graphql/ide.js';

export const BODY_LIMIT = '10mb';
const BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/** Builds the HTTP app (used by main.ts and by the end-to-end tests). */
export async function createApiApp(options: ApiOptions, logger: Logger): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(options), new ExpressAdapterWithAppPrototypes(), {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
  });
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(requestLogMiddleware(logger, app.get(MetricsService)));
  // GraphiQL's scripts and styles, from node_modules (the page itself: GET /graphql in a browser)
  app.use(GRAPHIQL_ASSETS_PATH, graphiqlAssets());
  // An upload declared over the limit (plus room for multipart framing) is refused unread.
  app.use('/api/v1/scans', declaredLengthLimit(MAX_UPLOAD_BYTES + 1024 * 1024));
  // An upload's YAML or JSON body stays bytes, decoded and parsed on the parse thread.
  app.use('/api/v1/scans', uploadBodyReader(BODY_LIMIT_BYTES));
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.useBodyParser('text', { limit: BODY_LIMIT, type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'] });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Rollsafe API')
      .setDescription(
        'Finds the settings that make rolling updates drop traffic behind cloud load balancers. ' +
          'Create an organization with the admin token, then call everything else with its API key. ' +
          'GraphQL: POST /graphql.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key of an organization' }, 'apiKey')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'ROLLSAFE_ADMIN_TOKEN' }, 'admin')
      .build(),
  );
  // A server, the licence, and every error an operation can answer, with a true example.
  completeOpenApiDocument(document, {
    license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    contact: { name: 'Rollsafe', url: 'https://github.com/rollsafe/rollsafe' },
  });
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', yamlDocumentUrl: 'api/docs-yaml' });
  return app;
}
