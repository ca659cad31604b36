import { getManager, Manager } from '../graph/directory';
import { GraphApi } from '../graph/graphApi';
import { ManagerDirectory } from './recipients';

/** Managers from Graph (`GET users/{id}/manager`, permission User.Read.All; 404 means none, reference 9.2). */
export class GraphManagerDirectory implements ManagerDirectory {
    constructor(private readonly graph: GraphApi) {}

    managerOf(userId: string): Promise<Manager | null> {
        return getManager(this.graph, userId);
    }
}
