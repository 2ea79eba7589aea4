import { InfoCard } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@mui/material/Typography';
import { ChatPanel } from '../ChatPanel';

/**
 * "Ask about this entity": questions answered from this entity and the
 * entities it is related to.
 */
export function EntityRagChatCard() {
  const { entity } = useEntity();
  const ref = stringifyEntityRef(entity);
  return (
    <InfoCard title="Ask about this entity">
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Answers come from {entity.metadata.title ?? entity.metadata.name} and
        the entities it is related to, as far as you may read them.
      </Typography>
      <ChatPanel
        key={ref}
        entityRef={ref}
        placeholder={`e.g. Who owns ${entity.metadata.name} and what does it depend on?`}
      />
    </InfoCard>
  );
}
